// Random helpers on the calling thread's Caffe generator.
#pragma once

#include <boost/random/uniform_int_distribution.hpp>

#include <iterator>
#include <utility>

#include "caffe/common.hpp"

namespace caffe {

inline Caffe::rng_t* caffe_rng() { return Caffe::rng(); }

// Fisher-Yates from the back, drawing each swap partner uniformly in [0, i],
// the same sequence of draws as upstream's shuffle for a given generator.
template <class RandomAccessIterator, class Generator>
void shuffle(RandomAccessIterator begin, RandomAccessIterator end, Generator* generator) {
  typedef typename std::iterator_traits<RandomAccessIterator>::difference_type Difference;
  const Difference length = std::distance(begin, end);
  for (Difference i = length - 1; i > 0; --i) {
    boost::random::uniform_int_distribution<Difference> pick(0, i);
    std::iter_swap(begin + i, begin + pick(*generator));
  }
}

template <class RandomAccessIterator>
void shuffle(RandomAccessIterator begin, RandomAccessIterator end) {
  shuffle(begin, end, caffe_rng());
}

}  // namespace caffe
