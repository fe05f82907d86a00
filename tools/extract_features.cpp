// extract_features: runs a trained net in the TEST phase and stores the
// values of some of its blobs, one Datum (float_data, channels/height/width
// of the blob) per input item, keyed by the item's zero-padded index
// ("%010d"), in one LMDB/LevelDB per blob - upstream Caffe's tool and record
// format, used here to evaluate embeddings.
//
// Each database is written under "<name>.tmp-<pid>" and renamed into place
// only when every batch is in, so a failed or interrupted run (Ctrl-C,
// SIGTERM) leaves nothing under the final names.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "caffe/common.hpp"
#include "caffe/net.hpp"
#include "caffe/proto/caffe.pb.h"
#include "caffe/util/datum_io.hpp"
#include "caffe/util/db.hpp"
#include "caffe/util/db_output.hpp"

namespace {

using caffe::string;
using caffe::vector;

const int kRecordsPerCommit = 1000;

vector<string> SplitCommas(const string& list) {
  vector<string> items;
  std::stringstream stream(list);
  string item;
  while (std::getline(stream, item, ',')) items.push_back(item);
  return items;
}

string IndexKey(int64_t index) {
  char key[24];
  std::snprintf(key, sizeof(key), "%010lld", static_cast<long long>(index));
  return key;
}

void Extract(caffe::Net<float>* net, const vector<string>& blob_names, long num_mini_batches,
             vector<std::unique_ptr<caffe::db::DB>>* databases,
             vector<std::unique_ptr<caffe::db::Transaction>>* transactions);

int Run(int argc, char** argv) {
  if (argc < 7) {
    std::cerr << "Usage: extract_features pretrained_net_param feature_extraction_proto_file "
                 "extract_feature_blob_name1[,name2,...] save_feature_dataset_name1[,name2,...] "
                 "num_mini_batches db_type [CPU/GPU] [DEVICE_ID=0]\n"
                 "Each blob's values are stored per input item as Datum float_data.\n";
    return 1;
  }
  const string weights = argv[1];
  const string net_file = argv[2];
  const vector<string> blob_names = SplitCommas(argv[3]);
  const vector<string> dataset_names = SplitCommas(argv[4]);
  char* end = nullptr;
  const long num_mini_batches = std::strtol(argv[5], &end, 10);
  CAFFE_REQUIRE(end && *end == '\0' && num_mini_batches > 0, caffe::ConfigError,
                "num_mini_batches must be a positive integer, got '", argv[5], "'");
  const string db_type = argv[6];
  if (argc > 7) {
    CAFFE_REQUIRE(string(argv[7]) == "CPU", caffe::ConfigError, "device '", argv[7],
                  "' is not available: this build is CPU-only");
  }
  CAFFE_REQUIRE(blob_names.size() == dataset_names.size(), caffe::ConfigError,
                blob_names.size(), " blob names but ", dataset_names.size(),
                " dataset names; give one dataset per blob");

  caffe::Net<float> net(net_file, caffe::TEST);
  net.CopyTrainedLayersFrom(weights);
  for (const string& name : blob_names) {
    CAFFE_REQUIRE(net.has_blob(name), caffe::ConfigError, "net ", net_file,
                  " has no blob named '", name, "'");
  }
  for (size_t i = 0; i < dataset_names.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      CAFFE_REQUIRE(dataset_names[i] != dataset_names[j], caffe::ConfigError, "dataset ",
                    dataset_names[i], " is named twice");
    }
    caffe::PrepareOutput(dataset_names[i], false, false);
  }
  vector<std::unique_ptr<caffe::db::DB>> databases;
  vector<std::unique_ptr<caffe::db::Transaction>> transactions;
  vector<string> temporaries;
  try {
    for (const string& dataset : dataset_names) {
      databases.emplace_back(caffe::db::GetDB(db_type));
      temporaries.push_back(caffe::TemporaryOutputName(dataset));
      databases.back()->Open(temporaries.back(), caffe::db::NEW);
      transactions.emplace_back(databases.back()->NewTransaction());
    }
    Extract(&net, blob_names, num_mini_batches, &databases, &transactions);
    for (size_t i = 0; i < dataset_names.size(); ++i) {
      caffe::PublishOutput(temporaries[i], dataset_names[i]);
    }
  } catch (...) {
    transactions.clear();
    databases.clear();
    for (const string& temporary : temporaries) caffe::RemoveOutputTree(temporary);
    throw;
  }
  LOG(INFO) << "Successfully extracted the features!";
  return 0;
}

void Extract(caffe::Net<float>* net_pointer, const vector<string>& blob_names,
             long num_mini_batches, vector<std::unique_ptr<caffe::db::DB>>* database_list,
             vector<std::unique_ptr<caffe::db::Transaction>>* transaction_list) {
  caffe::Net<float>& net = *net_pointer;
  vector<std::unique_ptr<caffe::db::DB>>& databases = *database_list;
  vector<std::unique_ptr<caffe::db::Transaction>>& transactions = *transaction_list;
  LOG(INFO) << "Extracting features";
  vector<int64_t> written(blob_names.size(), 0);
  caffe::Datum datum;
  string serialized;
  for (long batch = 0; batch < num_mini_batches; ++batch) {
    caffe::InterruptGuard::ThrowIfInterrupted();
    net.Forward();
    for (size_t i = 0; i < blob_names.size(); ++i) {
      const std::shared_ptr<caffe::Blob<float>> blob = net.blob_by_name(blob_names[i]);
      const int num = blob->num_axes() > 0 ? blob->shape(0) : 1;
      const int dim = num > 0 ? blob->count() / num : 0;
      const float* values = blob->cpu_data();
      for (int n = 0; n < num; ++n) {
        datum.Clear();
        datum.set_channels(blob->num_axes() > 1 ? blob->shape(1) : 1);
        datum.set_height(blob->num_axes() > 2 ? blob->shape(2) : 1);
        datum.set_width(blob->num_axes() > 3 ? blob->shape(3) : 1);
        for (int d = 0; d < dim; ++d) datum.add_float_data(values[n * dim + d]);
        caffe::SerializeRecord(datum, "the features of blob " + blob_names[i], &serialized);
        transactions[i]->Put(IndexKey(written[i]), serialized);
        if (++written[i] % kRecordsPerCommit == 0) {
          transactions[i]->Commit();
          transactions[i].reset(databases[i]->NewTransaction());
          LOG(INFO) << "Extracted features of " << written[i] << " query images for feature blob "
                    << blob_names[i];
        }
      }
    }
  }
  for (size_t i = 0; i < blob_names.size(); ++i) {
    transactions[i]->Commit();
    transactions[i].reset();
    databases[i]->Close();
    LOG(INFO) << "Extracted features of " << written[i] << " query images for feature blob "
              << blob_names[i];
  }
}

}  // namespace

int main(int argc, char** argv) {
  caffe::GlobalInit(&argc, &argv);
  caffe::InterruptGuard interrupt_guard;
  try {
    return Run(argc, argv);
  } catch (const caffe::InterruptedError& e) {
    std::cerr << "extract_features: " << e.what() << "; removed the partial outputs" << std::endl;
    caffe::InterruptGuard::RaisePendingSignal();
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "extract_features: error: " << e.what() << std::endl;
    return 1;
  }
}
