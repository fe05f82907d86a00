#include <gtest/gtest.h>

#include "caffe/common.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  FLAGS_minloglevel = 2;  // tests print only errors
  return RUN_ALL_TESTS();
}
