#include "caffe/util/hdf5.hpp"

#include <climits>
#include <set>

#include "caffe/util/hdf5_io.hpp"

namespace caffe {

bool IsHDF5File(const string& filename) { return hdf5::LooksLikeHDF5(filename); }

namespace {

// The parameter blobs each layer owns: a blob whose memory an earlier layer
// already holds (a shared parameter) is left out.
template <typename Dtype>
vector<vector<bool>> OwnedParams(const Net<Dtype>& net) {
  std::set<const void*> seen;
  vector<vector<bool>> owned;
  for (const auto& layer : net.layers()) {
    owned.emplace_back();
    for (const auto& blob : layer->blobs()) {
      const void* memory = blob->count() ? static_cast<const void*>(blob->cpu_data())
                                         : static_cast<const void*>(blob.get());
      owned.back().push_back(seen.insert(memory).second);
    }
  }
  return owned;
}

}  // namespace

template <typename Dtype>
void SaveNetToHDF5(const Net<Dtype>& net, const string& filename, bool write_diff) {
  // Written under a temporary name and renamed, so a failure leaves no
  // half-written file under `filename`.
  const string temporary = filename + ".tmp";
  try {
    hdf5::Handle file = hdf5::CreateFile(temporary);
    const vector<vector<bool>> owned = OwnedParams(net);
    for (const bool diff : {false, true}) {
      if (diff && !write_diff) break;
      hdf5::Handle group = hdf5::CreateGroup(file.get(), diff ? "diff" : "data", filename);
      for (size_t i = 0; i < net.layers().size(); ++i) {
        const string& name = net.layer_names()[i];
        hdf5::Handle layer_group = hdf5::CreateGroup(group.get(), name, filename);
        const auto& blobs = net.layers()[i]->blobs();
        for (size_t j = 0; j < blobs.size(); ++j) {
          if (!owned[i][j]) continue;
          hdf5::WriteDataset(layer_group.get(), std::to_string(j), *blobs[j], diff, filename);
        }
      }
    }
    CAFFE_REQUIRE(H5Fflush(file.get(), H5F_SCOPE_GLOBAL) >= 0, IOError,
                  "cannot write HDF5 file ", filename);
  } catch (...) {
    std::remove(temporary.c_str());
    throw;
  }
  if (std::rename(temporary.c_str(), filename.c_str()) != 0) {
    std::remove(temporary.c_str());
    CAFFE_THROW(IOError, "cannot write HDF5 file ", filename, " (rename from ", temporary,
                " failed)");
  }
}

template <typename Dtype>
void CopyTrainedLayersFromHDF5(Net<Dtype>* net, const string& filename) {
  hdf5::Handle file = hdf5::OpenFile(filename);
  hdf5::Handle data = hdf5::OpenGroup(file.get(), "data", filename);
  const vector<vector<bool>> owned = OwnedParams(*net);
  for (size_t i = 0; i < net->layers().size(); ++i) {
    const string& name = net->layer_names()[i];
    if (!hdf5::HasLink(data.get(), name)) continue;
    hdf5::Handle layer_group = hdf5::OpenGroup(data.get(), name, filename);
    H5G_info_t info;
    H5Gget_info(layer_group.get(), &info);
    const auto& blobs = net->layers()[i]->blobs();
    CAFFE_REQUIRE(info.nlinks <= blobs.size(), ShapeError, "HDF5 weights ", filename,
                  ": layer '", name, "' has ", info.nlinks, " parameter blobs in the file but ",
                  blobs.size(), " in the net");
    for (size_t j = 0; j < blobs.size(); ++j) {
      const string dataset = std::to_string(j);
      if (!hdf5::HasLink(layer_group.get(), dataset)) {
        // Shared parameters are stored once, by their owner.
        CAFFE_REQUIRE(!owned[i][j], DataError, "HDF5 weights ", filename, ": layer '", name,
                      "' has no parameter blob ", j);
        continue;
      }
      Blob<Dtype> source;
      hdf5::ReadDataset(layer_group.get(), dataset, 0, INT_MAX, &source, filename);
      CAFFE_REQUIRE(source.shape() == blobs[j]->shape(), ShapeError, "HDF5 weights ", filename,
                    ": layer '", name, "' parameter ", j, " has shape ", source.shape_string(),
                    " in the file but ", blobs[j]->shape_string(), " in the net");
      blobs[j]->CopyFrom(source);
    }
  }
}

template void SaveNetToHDF5<float>(const Net<float>&, const string&, bool);
template void SaveNetToHDF5<double>(const Net<double>&, const string&, bool);
template void CopyTrainedLayersFromHDF5<float>(Net<float>*, const string&);
template void CopyTrainedLayersFromHDF5<double>(Net<double>*, const string&);

}  // namespace caffe
