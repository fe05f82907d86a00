// DataTransformer semantics (upstream Caffe's) and the Datum/image helpers.
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "caffe/data/data_transformer.hpp"
#include "caffe/util/datum_io.hpp"
#include "caffe/util/io.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {
namespace {

using testing_data::DigitsDir;
using testing_data::TempDir;

// Pixel values 0, 1, 2, ... in planar (c, h, w) order.
Datum CountingDatum(int channels, int height, int width) {
  Datum datum;
  datum.set_channels(channels);
  datum.set_height(height);
  datum.set_width(width);
  string data(channels * height * width, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i % 256);
  datum.set_data(data);
  return datum;
}

int Pixel(const Datum& datum, int c, int h, int w) {
  return static_cast<uint8_t>(datum.data()[(c * datum.height() + h) * datum.width() + w]);
}

template <typename Dtype>
class DataTransformerTest : public ::testing::Test {
 protected:
  // One transformed item, shaped by InferBlobShape.
  vector<Dtype> Run(const TransformationParameter& param, Phase phase, const Datum& datum,
                    int times = 1) {
    DataTransformer<Dtype> transformer(param, phase);
    transformer.InitRand();
    Blob<Dtype> blob(transformer.InferBlobShape(datum));
    for (int i = 0; i < times; ++i) transformer.Transform(datum, &blob);
    shape_ = blob.shape();
    return vector<Dtype>(blob.cpu_data(), blob.cpu_data() + blob.count());
  }
  vector<int> shape_;
};

typedef ::testing::Types<float, double> Dtypes;
TYPED_TEST_SUITE(DataTransformerTest, Dtypes);

TYPED_TEST(DataTransformerTest, NoParametersCopiesThePixels) {
  const Datum datum = CountingDatum(3, 4, 5);
  const auto out = this->Run(TransformationParameter(), TRAIN, datum);
  EXPECT_EQ(this->shape_, (vector<int>{1, 3, 4, 5}));
  for (int i = 0; i < 60; ++i) EXPECT_EQ(out[i], i);
}

TYPED_TEST(DataTransformerTest, ScaleMultipliesAfterMeanValue) {
  TransformationParameter param;
  param.set_scale(0.25f);
  param.add_mean_value(2);
  const auto out = this->Run(param, TEST, CountingDatum(2, 3, 3));
  for (int i = 0; i < 18; ++i) EXPECT_EQ(out[i], (i - 2) * TypeParam(0.25));
}

TYPED_TEST(DataTransformerTest, MeanValuePerChannel) {
  TransformationParameter param;
  param.add_mean_value(1);
  param.add_mean_value(10);
  param.add_mean_value(100);
  const auto out = this->Run(param, TRAIN, CountingDatum(3, 2, 2));
  for (int i = 0; i < 12; ++i) EXPECT_EQ(out[i], i - TypeParam(i < 4 ? 1 : i < 8 ? 10 : 100));
  param.add_mean_value(1000);
  EXPECT_THROW(this->Run(param, TRAIN, CountingDatum(3, 2, 2)), ConfigError);
}

TYPED_TEST(DataTransformerTest, CropTakesTheCentreInTest) {
  TransformationParameter param;
  param.set_crop_size(3);
  const Datum datum = CountingDatum(2, 5, 8);
  const auto out = this->Run(param, TEST, datum);
  EXPECT_EQ(this->shape_, (vector<int>{1, 2, 3, 3}));
  // Offsets (5-3)/2 = 1 and (8-3)/2 = 2.
  for (int c = 0; c < 2; ++c) {
    for (int h = 0; h < 3; ++h) {
      for (int w = 0; w < 3; ++w) EXPECT_EQ(out[(c * 3 + h) * 3 + w], Pixel(datum, c, h + 1, w + 2));
    }
  }
}

// Replays upstream's draws: InitRand seeds the transformer from one
// caffe_rng_rand(); each Transform draws the mirror coin, then the crop row,
// then the crop column.
TYPED_TEST(DataTransformerTest, TrainCropAndMirrorFollowUpstreamsDraws) {
  TransformationParameter param;
  param.set_crop_size(3);
  param.set_mirror(true);
  const Datum datum = CountingDatum(2, 6, 7);
  Caffe::set_random_seed(1234);
  DataTransformer<TypeParam> transformer(param, TRAIN);
  transformer.InitRand();
  Caffe::rng_t expected_rng(Caffe::rng_t(1234)());
  Blob<TypeParam> blob(transformer.InferBlobShape(datum));
  std::set<int> offsets;
  int mirrored = 0;
  for (int run = 0; run < 30; ++run) {
    transformer.Transform(datum, &blob);
    const bool mirror = expected_rng() % 2;
    const int h_off = expected_rng() % 4;
    const int w_off = expected_rng() % 5;
    offsets.insert(h_off * 10 + w_off);
    mirrored += mirror;
    for (int c = 0; c < 2; ++c) {
      for (int h = 0; h < 3; ++h) {
        for (int w = 0; w < 3; ++w) {
          const int source_w = mirror ? 2 - w : w;
          ASSERT_EQ(blob.data_at(0, c, h, w), Pixel(datum, c, h + h_off, source_w + w_off))
              << "run " << run;
        }
      }
    }
  }
  EXPECT_GT(offsets.size(), 5u);
  EXPECT_GT(mirrored, 0);
  EXPECT_LT(mirrored, 30);
}

TYPED_TEST(DataTransformerTest, MirrorIsRandomInTestToo) {
  TransformationParameter param;
  param.set_mirror(true);
  const Datum datum = CountingDatum(1, 2, 4);
  Caffe::set_random_seed(99);
  DataTransformer<TypeParam> transformer(param, TEST);
  transformer.InitRand();
  Caffe::rng_t expected_rng(Caffe::rng_t(99)());
  Blob<TypeParam> blob(1, 1, 2, 4);
  for (int run = 0; run < 20; ++run) {
    transformer.Transform(datum, &blob);
    const bool mirror = expected_rng() % 2;
    for (int w = 0; w < 4; ++w) ASSERT_EQ(blob.data_at(0, 0, 1, w), Pixel(datum, 0, 1, mirror ? 3 - w : w));
  }
}

TYPED_TEST(DataTransformerTest, MeanFileIsTakenAtTheCropPosition) {
  TempDir dir;
  Blob<TypeParam> mean(1, 1, 4, 4);
  for (int i = 0; i < 16; ++i) mean.mutable_cpu_data()[i] = TypeParam(0.5) * i;
  BlobProto proto;
  mean.ToProto(&proto);
  WriteProtoToBinaryFile(proto, dir.Join("mean.binaryproto"));
  TransformationParameter param;
  param.set_mean_file(dir.Join("mean.binaryproto"));
  param.set_crop_size(2);
  param.set_scale(2);
  const Datum datum = CountingDatum(1, 4, 4);
  const auto out = this->Run(param, TEST, datum);
  for (int h = 0; h < 2; ++h) {
    for (int w = 0; w < 2; ++w) {
      const int index = (h + 1) * 4 + w + 1;
      EXPECT_EQ(out[h * 2 + w], (index - TypeParam(0.5) * index) * 2);
    }
  }
  EXPECT_THROW(this->Run(param, TEST, CountingDatum(1, 5, 5)), DataError);
  param.add_mean_value(3);
  EXPECT_THROW(DataTransformer<TypeParam>(param, TEST), ConfigError);
}

TYPED_TEST(DataTransformerTest, UpstreamMeanFileLoads) {
  TransformationParameter param;
  param.set_mean_file(DigitsDir() + "/mean.binaryproto");
  Datum datum;
  ReadImageToDatum(DigitsDir() + "/img/0000.png", 0, 0, 0, false, "", &datum);
  const auto out = this->Run(param, TEST, datum);
  BlobProto mean;
  ReadProtoFromBinaryFile(DigitsDir() + "/mean.binaryproto", &mean);
  ASSERT_EQ(mean.data_size(), 28 * 28);
  for (int i = 0; i < 28 * 28; ++i) {
    EXPECT_EQ(out[i], static_cast<TypeParam>(static_cast<uint8_t>(datum.data()[i])) -
                          static_cast<TypeParam>(mean.data(i)));
  }
}

TYPED_TEST(DataTransformerTest, FloatDataDatum) {
  Datum datum;
  datum.set_channels(1);
  datum.set_height(1);
  datum.set_width(3);
  for (float v : {0.5f, -1.0f, 300.0f}) datum.add_float_data(v);
  TransformationParameter param;
  param.set_scale(2);
  const auto out = this->Run(param, TEST, datum);
  EXPECT_EQ(out, (vector<TypeParam>{1, -2, 600}));
}

TYPED_TEST(DataTransformerTest, EncodedDatumTransformsLikeItsRawPixels) {
  const string path = DigitsDir() + "/img/0042.png";
  Datum raw, encoded;
  ASSERT_TRUE(ReadImageToDatum(path, 1, 0, 0, false, "", &raw));
  ASSERT_TRUE(ReadImageToDatum(path, 1, 0, 0, false, "png", &encoded));
  EXPECT_TRUE(encoded.encoded());
  TransformationParameter param;
  param.set_crop_size(24);
  param.set_mirror(true);
  param.add_mean_value(30);
  Caffe::set_random_seed(5);
  const auto from_raw = this->Run(param, TRAIN, raw, 3);
  Caffe::set_random_seed(5);
  const auto from_encoded = this->Run(param, TRAIN, encoded, 3);
  EXPECT_EQ(this->shape_, (vector<int>{1, 1, 24, 24}));
  EXPECT_EQ(from_raw, from_encoded);
}

TYPED_TEST(DataTransformerTest, ForceColorAndForceGray) {
  Datum gray_png;
  ASSERT_TRUE(ReadImageToDatum(DigitsDir() + "/img/0007.png", 0, 0, 0, false, "png", &gray_png));
  TransformationParameter color;
  color.set_force_color(true);
  const auto out = this->Run(color, TEST, gray_png);
  EXPECT_EQ(this->shape_, (vector<int>{1, 3, 28, 28}));
  const cv::Mat gray = testing_data::ReadDigit("img/0007.png");
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < 28 * 28; ++i) EXPECT_EQ(out[c * 784 + i], gray.data[i]);
  }

  cv::Mat bgr(5, 6, CV_8UC3);
  cv::randu(bgr, 0, 255);
  std::vector<uchar> buffer;
  cv::imencode(".png", bgr, buffer);
  Datum color_png;
  color_png.set_encoded(true);
  color_png.set_data(string(buffer.begin(), buffer.end()));
  TransformationParameter force_gray;
  force_gray.set_force_gray(true);
  const auto gray_out = this->Run(force_gray, TEST, color_png);
  EXPECT_EQ(this->shape_, (vector<int>{1, 1, 5, 6}));
  const cv::Mat expected = cv::imdecode(buffer, cv::IMREAD_GRAYSCALE);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(gray_out[i], expected.data[i]);
  EXPECT_EQ(this->Run(TransformationParameter(), TEST, color_png).size(), 90u);

  force_gray.set_force_color(true);
  EXPECT_THROW(this->Run(force_gray, TEST, color_png), ConfigError);
}

TYPED_TEST(DataTransformerTest, BadRecordsAreDataErrors) {
  TransformationParameter param;
  param.set_crop_size(5);
  EXPECT_THROW(this->Run(param, TEST, CountingDatum(1, 4, 6)), DataError);
  Datum short_datum = CountingDatum(1, 3, 3);
  short_datum.mutable_data()->resize(8);
  EXPECT_THROW(this->Run(TransformationParameter(), TEST, short_datum), DataError);
  Datum not_an_image;
  not_an_image.set_encoded(true);
  not_an_image.set_data("garbage");
  EXPECT_THROW(this->Run(TransformationParameter(), TEST, not_an_image), DataError);
  DataTransformer<TypeParam> transformer(TransformationParameter(), TEST);
  Blob<TypeParam> wrong(1, 2, 3, 3);
  EXPECT_THROW(transformer.Transform(CountingDatum(1, 3, 3), &wrong), DataError);
}

TYPED_TEST(DataTransformerTest, BlobTransformMatchesDatumTransform) {
  TransformationParameter param;
  param.set_crop_size(2);
  param.set_scale(0.5f);
  param.add_mean_value(1);
  param.add_mean_value(3);
  const Datum datum = CountingDatum(2, 4, 5);
  const auto expected = this->Run(param, TEST, datum);

  Blob<TypeParam> input(2, 2, 4, 5);
  for (int n = 0; n < 2; ++n) {
    for (int i = 0; i < 40; ++i) input.mutable_cpu_data()[n * 40 + i] = Pixel(datum, 0, 0, 0) + i;
  }
  Blob<TypeParam> output;
  DataTransformer<TypeParam> transformer(param, TEST);
  transformer.InitRand();
  transformer.Transform(&input, &output);
  EXPECT_EQ(output.shape(), (vector<int>{2, 2, 2, 2}));
  for (int n = 0; n < 2; ++n) {
    for (int i = 0; i < 8; ++i) EXPECT_EQ(output.cpu_data()[n * 8 + i], expected[i]);
  }
  // The mean is subtracted from the input in place, as upstream does.
  EXPECT_EQ(input.data_at(0, 1, 0, 0), 20 - 3);
}

TYPED_TEST(DataTransformerTest, VectorsFillConsecutiveItems) {
  const vector<Datum> datums = {CountingDatum(1, 2, 2), CountingDatum(1, 2, 2)};
  DataTransformer<TypeParam> transformer(TransformationParameter(), TEST);
  Blob<TypeParam> blob(transformer.InferBlobShape(datums));
  EXPECT_EQ(blob.shape(), (vector<int>{2, 1, 2, 2}));
  transformer.Transform(datums, &blob);
  EXPECT_EQ(blob.data_at(1, 0, 1, 1), 3);
  vector<cv::Mat> mats = {DatumToCVMat(datums[0]), DatumToCVMat(datums[1])};
  Blob<TypeParam> from_mats(transformer.InferBlobShape(mats));
  transformer.Transform(mats, &from_mats);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(from_mats.cpu_data()[i], blob.cpu_data()[i]);
}

TEST(DatumIOTest, MatAndDatumRoundTrip) {
  cv::Mat bgr(3, 4, CV_8UC3);
  cv::randu(bgr, 0, 255);
  Datum datum;
  CVMatToDatum(bgr, &datum);
  EXPECT_EQ(datum.channels(), 3);
  EXPECT_EQ(datum.height(), 3);
  EXPECT_EQ(datum.width(), 4);
  EXPECT_FALSE(datum.encoded());
  EXPECT_EQ(Pixel(datum, 2, 1, 3), bgr.at<cv::Vec3b>(1, 3)[2]);
  const cv::Mat back = DatumToCVMat(datum);
  EXPECT_EQ(cv::norm(back, bgr, cv::NORM_INF), 0);
  cv::Mat wide(2, 2, CV_16UC1, cv::Scalar(7));
  EXPECT_THROW(CVMatToDatum(wide, &datum), DataError);
}

TEST(DatumIOTest, ReadImageToDatumModes) {
  const string path = DigitsDir() + "/img/0003.png";
  Datum datum;
  ASSERT_TRUE(ReadImageToDatum(path, 9, 0, 0, false, "png", &datum));
  EXPECT_EQ(datum.data(), ReadFileToString(path));  // the file's own bytes
  EXPECT_EQ(datum.label(), 9);
  ASSERT_TRUE(DecodeDatumNative(&datum));
  EXPECT_EQ(datum.channels(), 1);
  EXPECT_EQ(datum.height(), 28);
  EXPECT_EQ(datum.label(), 9);

  ASSERT_TRUE(ReadImageToDatum(path, 1, 14, 10, false, "", &datum));
  EXPECT_EQ(datum.height(), 14);
  EXPECT_EQ(datum.width(), 10);
  cv::Mat resized;
  cv::resize(testing_data::ReadDigit("img/0003.png"), resized, cv::Size(10, 14));
  EXPECT_EQ(datum.data(), string(reinterpret_cast<const char*>(resized.data), 140));

  ASSERT_TRUE(ReadImageToDatum(path, 1, 0, 0, true, "", &datum));
  EXPECT_EQ(datum.channels(), 3);
  // Colour mode reads the grey file as 3 channels, so upstream's test keeps
  // the file's own bytes; a resize forces re-encoding.
  ASSERT_TRUE(ReadImageToDatum(path, 1, 0, 0, true, "png", &datum));
  EXPECT_EQ(datum.data(), ReadFileToString(path));
  ASSERT_TRUE(ReadImageToDatum(path, 1, 20, 20, true, "png", &datum));
  const cv::Mat reencoded = DecodeDatumToCVMatNative(datum);
  EXPECT_EQ(reencoded.channels(), 3);
  EXPECT_EQ(reencoded.rows, 20);

  EXPECT_FALSE(ReadImageToDatum("/nonexistent.png", 0, 0, 0, true, "", &datum));
}

}  // namespace
}  // namespace caffe
