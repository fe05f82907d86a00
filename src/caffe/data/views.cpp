#include "caffe/data/views.hpp"

namespace caffe {

namespace {

// A view is (flip, quarter turns): its value is 4 * flip + turns.
static_assert(ViewsParameter::View_ARRAYSIZE == 8,
              "a new View needs its flip and turns in ViewFlips/ViewTurns");
bool ViewFlips(View view) { return view >= ViewsParameter::FLIP; }
int ViewTurns(View view) { return static_cast<int>(view) % 4; }

}  // namespace

vector<View> ResolveViews(const ViewsParameter& param) {
  vector<View> views;
  switch (param.preset()) {
    case ViewsParameter::NONE:
      break;
    case ViewsParameter::ROTATIONS:
      views = {ViewsParameter::IDENTITY, ViewsParameter::ROTATE_90, ViewsParameter::ROTATE_180,
               ViewsParameter::ROTATE_270};
      break;
    case ViewsParameter::FLIPS:
      views = {ViewsParameter::IDENTITY, ViewsParameter::FLIP};
      break;
    case ViewsParameter::DIHEDRAL:
      for (int view = 0; view < ViewsParameter::View_ARRAYSIZE; ++view) {
        views.push_back(static_cast<View>(view));
      }
      break;
  }
  for (int view : param.view()) views.push_back(static_cast<View>(view));
  if (views.empty()) views.push_back(ViewsParameter::IDENTITY);
  return views;
}

bool TurnsSideways(View view) { return ViewTurns(view) % 2 == 1; }

template <typename Dtype>
void ApplyView(View view, const Dtype* in, int channels, int height, int width, Dtype* out) {
  const bool flip = ViewFlips(view);
  const int turns = ViewTurns(view);
  const int out_height = TurnsSideways(view) ? width : height;
  const int out_width = TurnsSideways(view) ? height : width;
  for (int c = 0; c < channels; ++c) {
    const Dtype* source = in + c * height * width;
    Dtype* target = out + c * out_height * out_width;
    for (int y = 0; y < out_height; ++y) {
      for (int x = 0; x < out_width; ++x) {
        // Undo the rotation: (row, col) in the flipped image...
        int row = y, col = x;
        if (turns == 1) {
          row = x;
          col = width - 1 - y;
        } else if (turns == 2) {
          row = height - 1 - y;
          col = width - 1 - x;
        } else if (turns == 3) {
          row = height - 1 - x;
          col = y;
        }
        // ...then the flip.
        if (flip) col = width - 1 - col;
        target[y * out_width + x] = source[row * width + col];
      }
    }
  }
}

template void ApplyView<float>(View, const float*, int, int, int, float*);
template void ApplyView<double>(View, const double*, int, int, int, double*);

}  // namespace caffe
