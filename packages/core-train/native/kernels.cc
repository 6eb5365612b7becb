// Native CPU kernels of core-train's 'onnx' TF.js backend: the ones ONNX Runtime serves badly.
//
// - conv2d filter gradient (NHWC x and dy, HWIO dw; any stride, dilation, padding): ONNX has no op
//   for it, and every formulation from ONNX ops copies the input once per kernel tap (im2col) and
//   feeds MLAS a GEMM whose output is only Cin x Cout. Here each tap's gradient is a sum over pixel
//   rows of rank-1 updates, register-blocked (8 input channels x 32 output channels of accumulators),
//   reading x and dy in place; rows are split over threads, each with its own accumulators.
// - elementwise float32 ops (binary with broadcast strides, unary, activation gradients): an ONNX
//   Runtime call costs ~20-35 us whatever the size and a JavaScript loop 1-15 ns per element; these
//   loops are vectorised by the compiler (-O3 -march=native), a call costs ~1 us.
//
// Built by src/kernels/native.ts (g++ -O3 -march=native, once per machine, cached); plain C++17 and
// the Node-API C interface, no other dependency. Every function checks its arguments' types and
// sizes and throws a TypeError/RangeError naming what is wrong.
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <thread>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace {

// ---------------------------------------------------------------------------------------------------
// Vector type (GCC/Clang extension): 16 floats, one AVX-512 register (two AVX2 ones).
typedef float v16 __attribute__((vector_size(64)));
typedef float v16u __attribute__((vector_size(64), aligned(4)));

inline v16 load(const float* p) { return *reinterpret_cast<const v16u*>(p); }
inline void store(float* p, v16 v) { *reinterpret_cast<v16u*>(p) = v; }
// All lanes s (a broadcast load; `v16{} + s` would cost an add, since 0 + (−0) is not −0).
inline v16 splat(float s) { return v16{s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s}; }

#if defined(__AVX512F__)
constexpr int kRows = 8;  // a-channels per register block: 8 x 2 accumulators of 16 lanes = 16 zmm
#else
constexpr int kRows = 4;  // AVX2: each v16 is two ymm registers, 16 in all
#endif

// A process-wide pool of worker threads. After a task a worker keeps polling for the next one for
// kSpinNs (yielding the core to any other runnable thread meanwhile), then sleeps: within a train
// step kernels follow each other within milliseconds and find the workers awake; an idle process
// costs nothing. Measured on the 2-core VM: a sleeping thread's first wake-up after ~100 ms idle
// made the whole conv-net step ~50 % slower (its vCPU had been descheduled); OpenMP (PyTorch) polls
// the same way between parallel regions.
constexpr int64_t kSpinNs = 5'000'000;

class Pool {
 public:
  // Runs task(part) for part in [0, parts): part 0 on the calling thread. Returns false (running
  // nothing) when the pool is busy, i.e. called from two JavaScript threads at once.
  template <typename F>
  bool run(int parts, F& task) {
    bool expected = false;
    if (!busy_.compare_exchange_strong(expected, true)) return false;
    ensure(parts - 1);
    invoke_ = [](void* ctx, int part) { (*static_cast<F*>(ctx))(part); };
    ctx_ = &task;
    active_ = parts - 1;
    remaining_.store(parts - 1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lk(m_);
      gen_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    task(0);
    while (remaining_.load(std::memory_order_acquire) > 0) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    busy_.store(false, std::memory_order_release);
    return true;
  }

  // Sends polling workers to sleep now (before another library's threads need the cores).
  void park() { park_.fetch_add(1, std::memory_order_release); }

  // Wakes sleeping workers to poll again (after another library's threads are done), so that the
  // next task does not wait for a sleeping thread's wake-up.
  void wake() {
    {
      std::lock_guard<std::mutex> lk(m_);
      wake_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
  }

 private:
  void ensure(int n) {
    while (static_cast<int>(workers_.size()) < n) {
      const int id = static_cast<int>(workers_.size()) + 1;
      const uint64_t start = gen_.load(std::memory_order_acquire);  // before run() announces its task
      workers_.emplace_back([this, id, start] { loop(id, start); });
      workers_.back().detach();
    }
  }

  void loop(int id, uint64_t seen) {
    for (;;) {
      uint64_t g = gen_.load(std::memory_order_acquire);
      if (g == seen) {
        const auto t0 = std::chrono::steady_clock::now();
        const uint64_t parked = park_.load(std::memory_order_acquire);
        int spins = 0;
        while ((g = gen_.load(std::memory_order_acquire)) == seen && park_.load(std::memory_order_relaxed) == parked) {
          if (++spins % 64 == 0) {
            std::this_thread::yield();
            if (std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count() > kSpinNs) break;
          }
#if defined(__x86_64__) || defined(__i386__)
          __builtin_ia32_pause();
#endif
        }
        g = gen_.load(std::memory_order_acquire);
        if (g == seen) {
          std::unique_lock<std::mutex> lk(m_);
          const uint64_t w = wake_.load(std::memory_order_acquire);
          cv_.wait(lk, [&] { return gen_.load(std::memory_order_acquire) != seen || wake_.load(std::memory_order_acquire) != w; });
          g = gen_.load(std::memory_order_acquire);
          if (g == seen) continue;  // woken ahead of work (wake()): poll again
        }
      }
      seen = g;
      if (id <= active_) {
        invoke_(ctx_, id);
        remaining_.fetch_sub(1, std::memory_order_acq_rel);
      }
    }
  }

  std::vector<std::thread> workers_;
  std::mutex m_;
  std::condition_variable cv_;
  std::atomic<uint64_t> gen_{0};
  std::atomic<int> remaining_{0};
  std::atomic<bool> busy_{false};
  std::atomic<uint64_t> park_{0};
  std::atomic<uint64_t> wake_{0};
  int active_ = 0;
  void (*invoke_)(void*, int) = nullptr;
  void* ctx_ = nullptr;
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: its detached workers outlive static destruction
  return *p;
}

// Runs fn(begin, end, part) over [0, n) split into `threads` contiguous parts (the calling thread
// takes part 0) on the pool; on the calling thread alone when the pool is busy.
template <typename F>
void parallel_parts(int64_t n, int threads, F fn) {
  if (threads <= 1 || n < 2) {
    fn(int64_t{0}, n, 0);
    return;
  }
  if (threads > n) threads = static_cast<int>(n);
  const int parts = threads;
  auto task = [&](int t) { fn(n * t / parts, n * (t + 1) / parts, t); };
  if (!pool().run(parts, task)) {
    for (int t = 0; t < parts; t++) task(t);
  }
}

template <typename F>
void parallel_for(int64_t n, int threads, F fn) {
  parallel_parts(n, threads, [&](int64_t b, int64_t e, int) { fn(b, e); });
}

// ---------------------------------------------------------------------------------------------------
// Filter gradient.

// C[i][0..16*NV) += sum_p A[p*sa + i] * B[p*sb + 0..16*NV) for i < R, over L pixels.
template <int R, int NV>
inline void micro(const float* A, int64_t sa, const float* B, int64_t sb, int L, float* C, int ldc) {
  v16 acc[R][NV];
  for (int i = 0; i < R; i++)
    for (int j = 0; j < NV; j++) acc[i][j] = load(C + i * ldc + 16 * j);
  for (int p = 0; p < L; p++) {
    const float* a = A + p * sa;
    const float* b = B + p * sb;
    v16 bv[NV];
    for (int j = 0; j < NV; j++) bv[j] = load(b + 16 * j);
    for (int i = 0; i < R; i++) {
      const v16 av = splat(a[i]);
      for (int j = 0; j < NV; j++) acc[i][j] += av * bv[j];
    }
  }
  for (int i = 0; i < R; i++)
    for (int j = 0; j < NV; j++) store(C + i * ldc + 16 * j, acc[i][j]);
}

template <int NV>
inline void rows_block(const float* A, int64_t sa, int ca, const float* B, int64_t sb, int L, float* C, int ldc) {
  int i = 0;
  for (; i + kRows <= ca; i += kRows) micro<kRows, NV>(A + i, sa, B, sb, L, C + i * ldc, ldc);
  for (; i < ca; i++) micro<1, NV>(A + i, sa, B, sb, L, C + i * ldc, ldc);
}

// C[ca][cb] += sum_p A[p*sa + 0..ca) (x) B[p*sb + 0..cb): one run of L pixels.
void outer_sum(const float* A, int64_t sa, int ca, const float* B, int64_t sb, int cb, int L, float* C) {
  int j = 0;
  for (; j + 32 <= cb; j += 32) rows_block<2>(A, sa, ca, B + j, sb, L, C + j, cb);
  for (; j + 16 <= cb; j += 16) rows_block<1>(A, sa, ca, B + j, sb, L, C + j, cb);
  if (j < cb) {
    for (int p = 0; p < L; p++) {
      const float* a = A + p * sa;
      const float* b = B + p * sb;
      for (int i = 0; i < ca; i++) {
        const float s = a[i];
        float* c = C + i * cb;
        for (int k = j; k < cb; k++) c[k] += s * b[k];
      }
    }
  }
}

struct ConvGeo {
  int n, inH, inW, inC, outH, outW, outC, kH, kW, sH, sW, dH, dW, top, left;
};

// dw[kh][kw][ci][co] over output rows [r0, r1) of n·outH into acc (taps x Ci x Co, zeroed by caller).
void filter_grad_rows(const ConvGeo& g, const float* x, const float* dy, int64_t r0, int64_t r1, float* acc, bool swap) {
  const int ci = g.inC, co = g.outC;
  const int64_t tapSize = static_cast<int64_t>(ci) * co;
  for (int64_t r = r0; r < r1; r++) {
    const int n = static_cast<int>(r / g.outH), oh = static_cast<int>(r % g.outH);
    const float* dyRow = dy + (static_cast<int64_t>(n) * g.outH + oh) * g.outW * co;
    for (int kh = 0; kh < g.kH; kh++) {
      const int ih = oh * g.sH + kh * g.dH - g.top;
      if (ih < 0 || ih >= g.inH) continue;
      const float* xRow = x + (static_cast<int64_t>(n) * g.inH + ih) * g.inW * ci;
      for (int kw = 0; kw < g.kW; kw++) {
        // Output columns whose input column ow·sW + kw·dW − left lies inside [0, inW).
        const int off = kw * g.dW - g.left;
        int lo = off >= 0 ? 0 : (-off + g.sW - 1) / g.sW;
        int hi = g.inW - 1 - off < 0 ? 0 : (g.inW - 1 - off) / g.sW + 1;
        if (hi > g.outW) hi = g.outW;
        if (lo >= hi) continue;
        const float* xs = xRow + static_cast<int64_t>(lo * g.sW + off) * ci;
        const float* ds = dyRow + static_cast<int64_t>(lo) * co;
        float* c = acc + (kh * g.kW + kw) * tapSize;
        if (swap) outer_sum(ds, co, co, xs, static_cast<int64_t>(g.sW) * ci, ci, hi - lo, c);
        else outer_sum(xs, static_cast<int64_t>(g.sW) * ci, ci, ds, co, co, hi - lo, c);
      }
    }
  }
}

void filter_grad(const ConvGeo& g, const float* x, const float* dy, float* dw, int threads) {
  const int taps = g.kH * g.kW;
  const int64_t tapSize = static_cast<int64_t>(g.inC) * g.outC;
  const int64_t total = taps * tapSize;
  // Vectorise over the wider of the two channel counts (a 32 -> 1 output layer: over the inputs).
  const bool swap = g.outC < 16 && g.inC > g.outC;
  const int64_t rows = static_cast<int64_t>(g.n) * g.outH;
  const int64_t macs = rows * g.outW * taps * tapSize;
  int t = threads;
  if (macs < (int64_t{1} << 22)) t = 1;
  if (t > rows) t = static_cast<int>(rows);
  if (t < 1) t = 1;
  std::vector<float> part(static_cast<size_t>(total) * t, 0.0f);
  parallel_parts(rows, t, [&](int64_t b, int64_t e, int k) { filter_grad_rows(g, x, dy, b, e, part.data() + k * total, swap); });
  for (int64_t i = 0; i < total; i++) {
    float s = 0;
    for (int k = 0; k < t; k++) s += part[k * total + i];
    part[i] = s;
  }
  if (!swap) {
    std::memcpy(dw, part.data(), total * sizeof(float));
  } else {
    // part holds [tap][co][ci]; dw is [tap][ci][co].
    for (int tap = 0; tap < taps; tap++)
      for (int o = 0; o < g.outC; o++)
        for (int i = 0; i < g.inC; i++) dw[tap * tapSize + i * g.outC + o] = part[tap * tapSize + o * g.inC + i];
  }
}

// ---------------------------------------------------------------------------------------------------
// Direct convolution for small channel counts (ONNX Runtime's NCHWc kernels pad channels to blocks
// of 16 and reorder layouts at the graph edges: a 1 -> 32 or 32 -> 1 layer at batch 16, 64x64 took
// 2-4 ms there for 19 M multiply-adds).

// C[i*ldc + 0..16*NV) += sum_t sum_k X[t][i*sx + k] * W[t][k*ldw + 0..16*NV) for i < R pixels, k < K,
// over T taps (tap t reads X[t] and W[t]): the accumulators stay in registers across all taps, which
// matters when K (input channels) is small.
template <int R, int NV>
inline void conv_micro_taps(const float* const* X, const float* const* W, int T, int64_t sx, int K, int ldw, float* C, int64_t ldc) {
  v16 acc[R][NV];
  for (int i = 0; i < R; i++)
    for (int j = 0; j < NV; j++) acc[i][j] = load(C + i * ldc + 16 * j);
  for (int t = 0; t < T; t++) {
    const float* Xt = X[t];
    const float* Wt = W[t];
    for (int k = 0; k < K; k++) {
      v16 wv[NV];
      for (int j = 0; j < NV; j++) wv[j] = load(Wt + k * ldw + 16 * j);
      for (int i = 0; i < R; i++) {
        const v16 xv = splat(Xt[i * sx + k]);
        for (int j = 0; j < NV; j++) acc[i][j] += xv * wv[j];
      }
    }
  }
  for (int i = 0; i < R; i++)
    for (int j = 0; j < NV; j++) store(C + i * ldc + 16 * j, acc[i][j]);
}

// One tap of conv_micro_taps.
template <int R, int NV>
inline void conv_micro(const float* X, int64_t sx, int K, const float* W, int ldw, float* C, int64_t ldc) {
  conv_micro_taps<R, NV>(&X, &W, 1, sx, K, ldw, C, ldc);
}

// Pixels [p0, p1) of a C row += all T taps (pointers at pixel 0), 32 and 16 columns at a time; false
// when the width has a remainder (the caller then runs tap by tap).
bool conv_row_taps(const float* const* X, const float* const* W, int T, int64_t sx, int K, int cw, float* C, int64_t ldc, int p0, int p1) {
  if (cw % 16 != 0 || T > 64) return false;
  const float* xs[64];
  const float* ws[64];
  for (int j = 0; j < cw; j += (cw - j >= 32 ? 32 : 16)) {
    for (int t = 0; t < T; t++) ws[t] = W[t] + j;
    const bool two = cw - j >= 32;
    int i = p0;
#define LW_TAPS_BLOCK(R)                                                                  \
  for (; i + (R) <= p1; i += (R)) {                                                       \
    for (int t = 0; t < T; t++) xs[t] = X[t] + i * sx;                                    \
    if (two) conv_micro_taps<(R), 2>(xs, ws, T, sx, K, cw, C + i * ldc + j, ldc);         \
    else conv_micro_taps<(R), 1>(xs, ws, T, sx, K, cw, C + i * ldc + j, ldc);             \
  }
    LW_TAPS_BLOCK(kRows)
    LW_TAPS_BLOCK(4)
    LW_TAPS_BLOCK(2)
    LW_TAPS_BLOCK(1)
#undef LW_TAPS_BLOCK
  }
  return true;
}

// C row of L pixels (pixel stride ldc, width cw) += X pixels (stride sx, K values each) times W [K][cw].
void conv_row(const float* X, int64_t sx, int K, const float* W, int cw, float* C, int64_t ldc, int L) {
  int j = 0;
  for (; j + 32 <= cw; j += 32) {
    int i = 0;
    for (; i + kRows <= L; i += kRows) conv_micro<kRows, 2>(X + i * sx, sx, K, W + j, cw, C + i * ldc + j, ldc);
    for (; i + 4 <= L; i += 4) conv_micro<4, 2>(X + i * sx, sx, K, W + j, cw, C + i * ldc + j, ldc);
    for (; i < L; i++) conv_micro<1, 2>(X + i * sx, sx, K, W + j, cw, C + i * ldc + j, ldc);
  }
  for (; j + 16 <= cw; j += 16) {
    int i = 0;
    for (; i + kRows <= L; i += kRows) conv_micro<kRows, 1>(X + i * sx, sx, K, W + j, cw, C + i * ldc + j, ldc);
    for (; i + 4 <= L; i += 4) conv_micro<4, 1>(X + i * sx, sx, K, W + j, cw, C + i * ldc + j, ldc);
    for (; i < L; i++) conv_micro<1, 1>(X + i * sx, sx, K, W + j, cw, C + i * ldc + j, ldc);
  }
  if (j < cw) {
    for (int i = 0; i < L; i++)
      for (int k = 0; k < K; k++) {
        const float xv = X[i * sx + k];
        for (int c = j; c < cw; c++) C[i * ldc + c] += xv * W[k * cw + c];
      }
  }
}

// Valid output columns [lo, hi) of a tap whose input column is ow*s + off.
inline void tap_cols(int off, int s, int inW, int outW, int* lo, int* hi) {
  *lo = off >= 0 ? 0 : (-off + s - 1) / s;
  *hi = inW - 1 - off < 0 ? 0 : (inW - 1 - off) / s + 1;
  if (*hi > outW) *hi = outW;
}

enum Act { ACT_LINEAR, ACT_RELU, ACT_RELU6, ACT_LEAKY, ACT_ELU, ACT_SIGMOID };

inline float activate(float v, int act, float alpha) {
  switch (act) {
    case ACT_RELU: return v < 0 ? 0.0f : v;
    case ACT_RELU6: return v < 0 ? 0.0f : (v > 6 ? 6.0f : v);
    case ACT_LEAKY: return v < 0 ? alpha * v : v;
    case ACT_ELU: return v < 0 ? std::exp(v) - 1.0f : v;
    case ACT_SIGMOID: return 1.0f / (1.0f + std::exp(-v));
    default: return v;
  }
}

// row[p][o] = act(row[p][o] + bias[o]) over `pixels` pixels of `co` channels; one loop per activation
// so that each vectorises.
void epilogue(float* row, int pixels, int co, const float* bias, int act, float alpha) {
  const int64_t len = static_cast<int64_t>(pixels) * co;
  if (bias)
    for (int p = 0; p < pixels; p++)
      for (int o = 0; o < co; o++) row[p * co + o] += bias[o];
  switch (act) {
    case ACT_RELU:
      for (int64_t i = 0; i < len; i++) row[i] = row[i] < 0 ? 0.0f : row[i];
      break;
    case ACT_RELU6:
      for (int64_t i = 0; i < len; i++) row[i] = row[i] < 0 ? 0.0f : (row[i] > 6 ? 6.0f : row[i]);
      break;
    case ACT_LEAKY:
      for (int64_t i = 0; i < len; i++) row[i] = row[i] < 0 ? alpha * row[i] : row[i];
      break;
    case ACT_ELU:
    case ACT_SIGMOID:
      for (int64_t i = 0; i < len; i++) row[i] = activate(row[i], act, alpha);
      break;
    default:
      break;
  }
}

// y = act(conv(x, w) + bias), NHWC / HWIO. Wide outputs (outC >= 16): per output row and tap, the
// row's valid pixels times the tap's [inC][outC] weights (conv_row). Narrow outputs: per output pixel
// and output channel, dot products over the input channels, 16 at a time.
void conv_forward(const ConvGeo& g, const float* x, const float* w, const float* bias, int act, float alpha, float* y, int threads) {
  const int ci = g.inC, co = g.outC, taps = g.kH * g.kW;
  const int64_t rows = static_cast<int64_t>(g.n) * g.outH;
  const int64_t macs = rows * g.outW * taps * static_cast<int64_t>(ci) * co;
  const int t = macs < (int64_t{1} << 21) ? 1 : threads;
  const bool wide = co >= 16;
  // Narrow: weights as [co][tap][ci] so that each dot product reads contiguous values.
  std::vector<float> wt;
  if (!wide) {
    wt.resize(static_cast<size_t>(taps) * ci * co);
    for (int tap = 0; tap < taps; tap++)
      for (int i = 0; i < ci; i++)
        for (int o = 0; o < co; o++) wt[(static_cast<size_t>(o) * taps + tap) * ci + i] = w[(static_cast<size_t>(tap) * ci + i) * co + o];
  }
  parallel_for(rows, t, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const int n = static_cast<int>(r / g.outH), oh = static_cast<int>(r % g.outH);
      float* yRow = y + r * g.outW * co;
      std::memset(yRow, 0, sizeof(float) * g.outW * co);
      // Wide output: the columns every tap reads inside the image ([inLo, inHi)) take all taps at
      // once; the border columns below go tap by tap.
      int inLo = 0, inHi = g.outW;
      bool fused = false;
      if (wide) {
        const float* xs[64];
        const float* ws[64];
        int T = 0;
        for (int kh = 0; kh < g.kH && T >= 0; kh++) {
          const int ih = oh * g.sH + kh * g.dH - g.top;
          if (ih < 0 || ih >= g.inH) continue;
          for (int kw = 0; kw < g.kW; kw++) {
            const int off = kw * g.dW - g.left;
            int lo, hi;
            tap_cols(off, g.sW, g.inW, g.outW, &lo, &hi);
            inLo = lo > inLo ? lo : inLo;
            inHi = hi < inHi ? hi : inHi;
            if (T == 64) {
              T = -1;
              break;
            }
            xs[T] = x + ((static_cast<int64_t>(n) * g.inH + ih) * g.inW + off) * ci;  // pixel 0 (may point before the row)
            ws[T] = w + static_cast<int64_t>(kh * g.kW + kw) * ci * co;
            T++;
          }
        }
        if (T > 0 && inLo < inHi) fused = conv_row_taps(xs, ws, T, static_cast<int64_t>(g.sW) * ci, ci, co, yRow, co, inLo, inHi);
      }
      for (int kh = 0; kh < g.kH && wide; kh++) {
        const int ih = oh * g.sH + kh * g.dH - g.top;
        if (ih < 0 || ih >= g.inH) continue;
        const float* xRow = x + (static_cast<int64_t>(n) * g.inH + ih) * g.inW * ci;
        for (int kw = 0; kw < g.kW; kw++) {
          const int off = kw * g.dW - g.left;
          int lo, hi;
          tap_cols(off, g.sW, g.inW, g.outW, &lo, &hi);
          if (lo >= hi) continue;
          const float* xs = xRow + static_cast<int64_t>(lo * g.sW + off) * ci;
          const int64_t sx = static_cast<int64_t>(g.sW) * ci;
          const int tap = kh * g.kW + kw;
          const float* wt0 = w + static_cast<int64_t>(tap) * ci * co;
          if (!fused) {
            conv_row(xs, sx, ci, wt0, co, yRow + static_cast<int64_t>(lo) * co, co, hi - lo);
          } else {
            // Only the border columns [lo, inLo) and [inHi, hi) are left.
            const int a = inLo < hi ? inLo : hi;
            if (a > lo) conv_row(xs, sx, ci, wt0, co, yRow + static_cast<int64_t>(lo) * co, co, a - lo);
            const int b = inHi > lo ? inHi : lo;
            if (hi > b) conv_row(xs + (b - lo) * sx, sx, ci, wt0, co, yRow + static_cast<int64_t>(b) * co, co, hi - b);
          }
        }
      }
      if (!wide) {
        // Narrow output: per pixel and output channel one dot product over every valid tap's inputs,
        // 16 channels at a time, summed across lanes once.
        for (int p = 0; p < g.outW; p++) {
          for (int o = 0; o < co; o++) {
            v16 acc = splat(0.0f);
            float s = 0;
            for (int kh = 0; kh < g.kH; kh++) {
              const int ih = oh * g.sH + kh * g.dH - g.top;
              if (ih < 0 || ih >= g.inH) continue;
              const float* xRow = x + (static_cast<int64_t>(n) * g.inH + ih) * g.inW * ci;
              for (int kw = 0; kw < g.kW; kw++) {
                const int iw = p * g.sW + kw * g.dW - g.left;
                if (iw < 0 || iw >= g.inW) continue;
                const float* xp = xRow + static_cast<int64_t>(iw) * ci;
                const float* wp = wt.data() + (static_cast<size_t>(o) * taps + kh * g.kW + kw) * ci;
                int i = 0;
                for (; i + 16 <= ci; i += 16) acc += load(xp + i) * load(wp + i);
                for (; i < ci; i++) s += xp[i] * wp[i];
              }
            }
            for (int l = 0; l < 16; l++) s += acc[l];
            yRow[p * co + o] = s;
          }
        }
      }
      epilogue(yRow, g.outW, co, bias, act, alpha);
    }
  });
}

// dx = conv2d's input gradient, NHWC: for every output row and tap, dx's row at the tap's input row
// gets dy's pixels times the tap's weights transposed ([outC][inC]); the pixels of one tap land on
// distinct input columns. Images are split over threads (each writes only its own dx image).
void conv_input_grad(const ConvGeo& g, const float* dy, const float* w, float* dx, int threads) {
  const int ci = g.inC, co = g.outC, taps = g.kH * g.kW;
  std::vector<float> wt(static_cast<size_t>(taps) * co * ci);
  for (int tap = 0; tap < taps; tap++)
    for (int i = 0; i < ci; i++)
      for (int o = 0; o < co; o++) wt[(static_cast<size_t>(tap) * co + o) * ci + i] = w[(static_cast<size_t>(tap) * ci + i) * co + o];
  const int64_t macs = static_cast<int64_t>(g.n) * g.outH * g.outW * taps * ci * co;
  const int t = macs < (int64_t{1} << 21) ? 1 : threads;
  parallel_for(g.n, t, [&](int64_t n0, int64_t n1) {
    std::memset(dx + n0 * g.inH * g.inW * ci, 0, sizeof(float) * (n1 - n0) * g.inH * g.inW * ci);
    for (int64_t n = n0; n < n1; n++)
      for (int oh = 0; oh < g.outH; oh++) {
        const float* dyRow = dy + (n * g.outH + oh) * g.outW * co;
        for (int kh = 0; kh < g.kH; kh++) {
          const int ih = oh * g.sH + kh * g.dH - g.top;
          if (ih < 0 || ih >= g.inH) continue;
          float* dxRow = dx + (n * g.inH + ih) * g.inW * ci;
          for (int kw = 0; kw < g.kW; kw++) {
            const int off = kw * g.dW - g.left;
            int lo, hi;
            tap_cols(off, g.sW, g.inW, g.outW, &lo, &hi);
            if (lo >= hi) continue;
            const int tap = kh * g.kW + kw;
            conv_row(dyRow + static_cast<int64_t>(lo) * co, co, co, wt.data() + static_cast<size_t>(tap) * co * ci, ci, dxRow + static_cast<int64_t>(lo * g.sW + off) * ci,
                     static_cast<int64_t>(g.sW) * ci, hi - lo);
          }
        }
      }
  });
}

// ---------------------------------------------------------------------------------------------------
// Matrix products: C[b] = act(op(A[b]) · op(B[b]) + bias), row-major, op = optional transpose.
// op(B) is packed once per batch into 32-column panels [K][32] (zero-padded), op(A) transposed into
// a row-major copy when needed; 8-row blocks of C times each panel run conv_micro over the whole K.

// K is processed in chunks of kKc: one chunk of every packed B panel (kKc x N) stays in L2 while
// all row blocks pass over it (GotoBLAS's loop order).
constexpr int kKc = 256;

// One product C = act(op(a) · op(b) + bias) on `threads` threads; bp/cp are scratch buffers.
void gemm_one(const float* a, const float* bm, const float* bias, float* c, int M, int N, int K, bool ta, bool tb, int act, float alpha, int t, bool packB,
              std::vector<float>& bp, std::vector<float>& cp) {
  const int panels = (N + 31) / 32;
  const int Np = panels * 32;
  const int blocks = (M + kRows - 1) / kRows;
  const int Mp = blocks * kRows;
  const int64_t panelSize = static_cast<int64_t>(K) * 32;
  bp.resize(static_cast<size_t>(panels) * panelSize);
  // Accumulate into C itself when its shape fits the blocks, else into a padded copy.
  const bool padded = Np != N || Mp != M;
  if (padded) cp.resize(static_cast<size_t>(Mp) * Np);
  float* acc = padded ? cp.data() : c;
  const int64_t ldc = padded ? Np : N;
  if (packB) {
    // op(B) [K][N] into panels [K][32]; element (k, n) is bm[k*N + n], or bm[n*K + k].
    parallel_for(panels, t, [&](int64_t p0, int64_t p1) {
      for (int64_t pnl = p0; pnl < p1; pnl++) {
        float* dst = bp.data() + pnl * panelSize;
        const int n0 = static_cast<int>(pnl) * 32, w = N - n0 < 32 ? N - n0 : 32;
        for (int k = 0; k < K; k++) {
          float* row = dst + static_cast<int64_t>(k) * 32;
          if (!tb) std::memcpy(row, bm + static_cast<int64_t>(k) * N + n0, sizeof(float) * w);
          else
            for (int j = 0; j < w; j++) row[j] = bm[static_cast<int64_t>(n0 + j) * K + k];
          for (int j = w; j < 32; j++) row[j] = 0.0f;
        }
      }
    });
  }
  for (int k0 = 0; k0 < K; k0 += kKc) {
    const int kk = K - k0 < kKc ? K - k0 : kKc;
    parallel_for(blocks, t, [&](int64_t b0, int64_t b1) {
      float apack[kKc * kRows];
      for (int64_t blk = b0; blk < b1; blk++) {
        const int i0 = static_cast<int>(blk) * kRows, rows = M - i0 < kRows ? M - i0 : kRows;
        // The block's rows of this K chunk interleaved as [kk][kRows] (zero rows past M).
        for (int k = 0; k < kk; k++)
          for (int r = 0; r < kRows; r++) {
            const int64_t kg = k0 + k;
            apack[k * kRows + r] = r < rows ? (ta ? a[kg * M + i0 + r] : a[static_cast<int64_t>(i0 + r) * K + kg]) : 0.0f;
          }
        for (int pnl = 0; pnl < panels; pnl++) {
          // Both operands packed, read sequentially: the filter gradient's micro-kernel with a-stride kRows.
          float* c = acc + static_cast<int64_t>(i0) * ldc + pnl * 32;
          if (k0 == 0)
            for (int r = 0; r < kRows; r++) std::memset(c + r * ldc, 0, 32 * sizeof(float));
          micro<kRows, 2>(apack, kRows, bp.data() + pnl * panelSize + static_cast<int64_t>(k0) * 32, 32, kk, c, static_cast<int>(ldc));
        }
      }
    });
  }
  parallel_for(M, t, [&](int64_t r0, int64_t r1) {
    if (padded)
      for (int64_t r = r0; r < r1; r++) std::memcpy(c + r * N, cp.data() + r * Np, sizeof(float) * N);
    epilogue(c + r0 * N, static_cast<int>(r1 - r0), N, bias, act, alpha);
  });
}

// C[b] = act(op(A[b]) · op(B[b]) + bias) for b < batch (a stride of 0 broadcasts that operand).
// Large products split their row blocks over threads; a batch of small ones splits the batch.
void gemm(const float* A, const float* B, const float* bias, float* C, int64_t batch, int64_t strideA, int64_t strideB, int M, int N, int K, bool ta, bool tb, int act, float alpha, int threads) {
  const int64_t macs = static_cast<int64_t>(M) * N * K;
  if (batch > 1 && macs < (int64_t{1} << 20)) {
    parallel_for(batch, macs * batch < (int64_t{1} << 18) ? 1 : threads, [&](int64_t b0, int64_t b1) {
      std::vector<float> bp, cp;
      for (int64_t b = b0; b < b1; b++)
        gemm_one(A + b * strideA, B + b * strideB, bias, C + b * static_cast<int64_t>(M) * N, M, N, K, ta, tb, act, alpha, 1, b == b0 || strideB != 0, bp, cp);
    });
    return;
  }
  const int t = macs < (int64_t{1} << 18) ? 1 : threads;
  std::vector<float> bp, cp;
  for (int64_t b = 0; b < batch; b++)
    gemm_one(A + b * strideA, B + b * strideB, bias, C + b * static_cast<int64_t>(M) * N, M, N, K, ta, tb, act, alpha, t, b == 0 || strideB != 0, bp, cp);
}

// ---------------------------------------------------------------------------------------------------
// Elementwise.

// exp(x) and tanh(x) on 16 float32 lanes, with vector-extension operations (the compiler does not
// vectorise scalar floor and bit casts). exp: Cephes expf — range reduction by ln 2 in two parts,
// degree-5 polynomial, scale by 2^n through the exponent bits; relative error < 2e-7 over [-87, 88].
// tanh: odd polynomial below |x| 0.625 (Cephes tanhf), 1 − 2/(e^{2|x|} + 1) above.
typedef int32_t v16i __attribute__((vector_size(64)));

inline v16 vexp16(v16 x) {
  const v16 hi = splat(88.3762626647949f), lo = splat(-87.33654475f);
  v16 xc = x > hi ? hi : x;
  xc = xc < lo ? lo : xc;
  const v16 t = xc * 1.44269504088896341f + 0.5f;
  const v16i ti = __builtin_convertvector(t, v16i);  // truncation toward zero
  v16 fx = __builtin_convertvector(ti, v16);
  fx = fx > t ? fx - 1.0f : fx;  // floor
  v16 r = xc - fx * 0.693359375f;
  r = r + fx * 2.12194440e-4f;
  const v16 z = r * r;
  v16 y = splat(1.9875691500e-4f);
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * z + r + 1.0f;
  const v16i bits = (__builtin_convertvector(fx, v16i) + 127) << 23;
  const v16 v = y * (v16)bits;  // GCC vector cast: same bits
  const v16 inf = splat(INFINITY);
  const v16 zero = splat(0.0f);
  const v16 big = x > hi ? inf : v;
  return x < lo ? zero : big;
}

inline v16 vtanh16(v16 x) {
  const v16 zero = splat(0.0f);
  const v16 a = x < zero ? -x : x;
  const v16 s = x * x;
  const v16 p = ((((s * -5.70498872745e-3f + 2.06390887954e-2f) * s - 5.37397155531e-2f) * s + 1.33314422036e-1f) * s - 3.33332819422e-1f) * s * x + x;
  const v16 e = vexp16(a * 2.0f);
  v16 q = 1.0f - 2.0f / (e + 1.0f);
  q = x < zero ? -q : q;
  // NaN: the comparison is false, p (x + …) stays NaN; ±0 returns x itself (keeps −0).
  const v16 small = a == zero ? x : p;
  return a > 0.625f ? q : small;
}

// Binary ops and activation gradients round each operation as TF.js's op chains do (bit-for-bit equal
// results): no fused multiply-adds here.
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

// Elementwise ops split over threads from this many elements (the pool hands work over in ~1 us).
constexpr int64_t kParallelElements = int64_t{1} << 17;
constexpr int64_t kParallelElementsT = kParallelElements;

enum Binary { ADD, SUB, MUL, DIV, MAX, MIN, SQDIFF, RELU_GRAD, SIGMOID_GRAD, TANH_GRAD, FIRST };

template <int OP>
inline float bin(float a, float b) {
  if constexpr (OP == ADD) return a + b;
  if constexpr (OP == SUB) return a - b;
  if constexpr (OP == MUL) return a * b;
  if constexpr (OP == DIV) return a / b;
  if constexpr (OP == MAX) return (a > b || a != a) ? a : b;
  if constexpr (OP == MIN) return (a < b || a != a) ? a : b;
  if constexpr (OP == SQDIFF) return (a - b) * (a - b);
  // Gradients: a = dy, b = x (relu) or y (sigmoid, tanh).
  if constexpr (OP == RELU_GRAD) return b > 0 ? a : a * 0.0f;  // as the JS kernel: NaN where dy is
  if constexpr (OP == SIGMOID_GRAD) return a * (b * (1.0f - b));
  if constexpr (OP == TANH_GRAD) return (1.0f - b * b) * a;
  if constexpr (OP == FIRST) return a;  // a broadcast copy (Tile of size-1 dims)
  return 0;
}

// One innermost run; strides of the innermost collapsed dim are 1 or 0, specialised so that the
// loops vectorise.
template <int OP>
inline void bin_row(float* o, int64_t n, const float* a, int64_t sa, const float* b, int64_t sb) {
  if (sa == 1 && sb == 1) {
    for (int64_t j = 0; j < n; j++) o[j] = bin<OP>(a[j], b[j]);
  } else if (sa == 1 && sb == 0) {
    const float y = b[0];
    for (int64_t j = 0; j < n; j++) o[j] = bin<OP>(a[j], y);
  } else if (sa == 0 && sb == 1) {
    const float x = a[0];
    for (int64_t j = 0; j < n; j++) o[j] = bin<OP>(x, b[j]);
  } else if (sa == 0 && sb == 0) {
    const float v = bin<OP>(a[0], b[0]);
    for (int64_t j = 0; j < n; j++) o[j] = v;
  } else {
    for (int64_t j = 0; j < n; j++) o[j] = bin<OP>(a[j * sa], b[j * sb]);
  }
}

struct Plan {
  int64_t d[3], sa[3], sb[3];
};

// out over outer index range [i0, i1) of d0·d1 rows of d2 elements.
template <int OP>
void bin_rows(const Plan& p, float* out, const float* a, const float* b, int64_t i0, int64_t i1) {
  for (int64_t r = i0; r < i1; r++) {
    const int64_t i = r / p.d[1], k = r % p.d[1];
    bin_row<OP>(out + r * p.d[2], p.d[2], a + i * p.sa[0] + k * p.sa[1], p.sa[2], b + i * p.sb[0] + k * p.sb[1], p.sb[2]);
  }
}

template <int OP>
void binary_op(const Plan& p, float* out, const float* a, const float* b, int threads) {
  const int64_t rows = p.d[0] * p.d[1];
  const int64_t n = rows * p.d[2];
  if (rows == 1 && threads > 1 && n >= kParallelElements) {
    // One long row: split the row itself.
    parallel_for(n, threads, [&](int64_t s, int64_t e) {
      bin_row<OP>(out + s, e - s, a + s * p.sa[2], p.sa[2], b + s * p.sb[2], p.sb[2]);
    });
    return;
  }
  const int t = n >= kParallelElements ? threads : 1;
  parallel_for(rows, t, [&](int64_t s, int64_t e) { bin_rows<OP>(p, out, a, b, s, e); });
}

// One Adam step, op for op as core-train's AdamBase.update (and its JavaScript kernel): each
// product and sum rounded to float32 (no fused multiply-adds), so the values are bit-for-bit equal.
// k: b1, b2, 1−b1, 1−b2, eps, √(1−b2ᵗ), η/(1−b1ᵗ), weight decay, shrink; mode 1 decoupled decay, 2 L2.
void adam(const float* p, const float* g, const float* m0, const float* v0, const float* k, int mode, float* pOut, float* mOut, float* vOut, int64_t n, int threads) {
  const float b1 = k[0], b2 = k[1], ob1 = k[2], ob2 = k[3], eps = k[4], bc2 = k[5], step = k[6], wd = k[7], shrink = k[8];
  const int t = n >= (int64_t{1} << 17) ? threads : 1;
  parallel_for(n, t, [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; i++) {
      float pi = p[i], gi = g[i];
      if (mode == 1) pi = pi * shrink;
      else if (mode == 2) gi = gi + pi * wd;
      const float mi = m0[i] * b1 + gi * ob1;
      const float vi = v0[i] * b2 + (gi * gi) * ob2;
      const float denom = std::sqrt(vi) / bc2 + eps;
      pOut[i] = pi - (mi / denom) * step;
      mOut[i] = mi;
      vOut[i] = vi;
    }
  });
}

#pragma GCC pop_options

enum Unary { RELU, RELU6, SIGMOID, TANH, EXP, SQRT, RSQRT, SQUARE, NEG, ABS, RECIPROCAL, STEP, LEAKY_RELU, ELU };

// The ops without exp (the others: un16 below).
template <int OP>
inline float un(float x, float alpha) {
  if constexpr (OP == RELU) return x < 0 ? 0.0f : x;
  if constexpr (OP == RELU6) return x < 0 ? 0.0f : (x > 6 ? 6.0f : x);
  if constexpr (OP == SQRT) return std::sqrt(x);
  if constexpr (OP == RSQRT) return 1.0f / std::sqrt(x);
  if constexpr (OP == SQUARE) return x * x;
  if constexpr (OP == NEG) return -x;
  if constexpr (OP == ABS) return std::fabs(x);
  if constexpr (OP == RECIPROCAL) return 1.0f / x;
  if constexpr (OP == STEP) return x != x ? x : (x > 0 ? 1.0f : alpha);
  if constexpr (OP == LEAKY_RELU) return x < 0 ? alpha * x : x;
  return 0;
}

// The transcendental ops, 16 lanes at a time.
template <int OP>
inline v16 un16(v16 x) {
  if constexpr (OP == SIGMOID) return 1.0f / (1.0f + vexp16(-x));
  if constexpr (OP == TANH) return vtanh16(x);
  if constexpr (OP == EXP) return vexp16(x);
  if constexpr (OP == ELU) {
    const v16 zero = splat(0.0f);
    return x < zero ? vexp16(x) - 1.0f : x;
  }
  return x;
}

constexpr bool transcendental(int op) { return op == SIGMOID || op == TANH || op == EXP || op == ELU; }

template <int OP>
void unary_op(float* out, const float* x, int64_t n, float alpha, int threads) {
  const int t = n >= kParallelElements ? threads : 1;
  parallel_for(n, t, [&](int64_t s, int64_t e) {
    if constexpr (transcendental(OP)) {
      int64_t i = s;
      for (; i + 16 <= e; i += 16) store(out + i, un16<OP>(load(x + i)));
      if (i < e) {
        float buf[16] = {0};
        std::memcpy(buf, x + i, (e - i) * sizeof(float));
        store(buf, un16<OP>(load(buf)));
        std::memcpy(out + i, buf, (e - i) * sizeof(float));
      }
    } else {
      for (int64_t i = s; i < e; i++) out[i] = un<OP>(x[i], alpha);
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// Reductions: x viewed as [outer, mid, inner], reduced over mid.

enum Reduce { R_SUM, R_MEAN, R_MAX, R_MIN };

// Σ of n contiguous values: 4 x 16 lanes of partial sums (the order differs from a sequential sum
// by float32 rounding only).
inline float sum_contiguous(const float* x, int64_t n) {
  v16 a0 = splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    a0 += load(x + i);
    a1 += load(x + i + 16);
    a2 += load(x + i + 32);
    a3 += load(x + i + 48);
  }
  for (; i + 16 <= n; i += 16) a0 += load(x + i);
  const v16 a = (a0 + a1) + (a2 + a3);
  float s = 0;
  for (int l = 0; l < 16; l++) s += a[l];
  for (; i < n; i++) s += x[i];
  return s;
}

void reduce(int op, float* out, const float* x, int64_t outer, int64_t mid, int64_t inner, int threads) {
  const int64_t n = outer * mid * inner;
  const int t = n >= (int64_t{1} << 18) ? threads : 1;
  if (op == R_MAX || op == R_MIN) {
    // NaN wins, as in the JavaScript kernel.
    parallel_for(outer * inner, t, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; r++) {
        const int64_t o = r / inner, k = r % inner;
        const float* p = x + o * mid * inner + k;
        float acc = p[0];
        for (int64_t m = 1; m < mid; m++) {
          const float v = p[m * inner];
          if (op == R_MAX ? (v > acc || v != v) : (v < acc || v != v)) acc = acc != acc ? acc : v;
        }
        out[r] = acc;
      }
    });
    return;
  }
  const float scale = op == R_MEAN ? 1.0f / static_cast<float>(mid) : 1.0f;
  if (inner == 1) {
    parallel_for(outer, t, [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; o++) out[o] = sum_contiguous(x + o * mid, mid) * scale;
    });
    return;
  }
  if (outer >= t) {
    parallel_for(outer, t, [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; o++) {
        float* dst = out + o * inner;
        const float* src = x + o * mid * inner;
        std::memcpy(dst, src, sizeof(float) * inner);
        for (int64_t m = 1; m < mid; m++)
          for (int64_t k = 0; k < inner; k++) dst[k] += src[m * inner + k];
        for (int64_t k = 0; k < inner; k++) dst[k] *= scale;
      }
    });
    return;
  }
  // Few outer rows (a bias gradient: [1, N·H·W, C]): split mid over threads, then add the parts.
  std::vector<float> part(static_cast<size_t>(t) * outer * inner, 0.0f);
  parallel_parts(mid, t, [&](int64_t b, int64_t e, int k0) {
    float* acc = part.data() + static_cast<size_t>(k0) * outer * inner;
    for (int64_t o = 0; o < outer; o++)
      for (int64_t m = b; m < e; m++) {
        const float* src = x + (o * mid + m) * inner;
        for (int64_t k = 0; k < inner; k++) acc[o * inner + k] += src[k];
      }
  });
  for (int64_t i = 0; i < outer * inner; i++) {
    float s = 0;
    for (int k0 = 0; k0 < t; k0++) s += part[static_cast<size_t>(k0) * outer * inner + i];
    out[i] = s * scale;
  }
}

#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
// Softmax gradient from its output y over rows of d: t = dy·y, out = t − (Σ_row t)·y, rounded as the
// op chain mul, sum (sum_contiguous, as the native Sum), mul, sub (bit-for-bit equal results).
void softmax_grad(float* out, const float* dy, const float* y, int64_t rows, int64_t d, int threads) {
  const int t = rows * d >= (int64_t{1} << 18) ? threads : 1;
  parallel_for(rows, t, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; r++) {
      float* o = out + r * d;
      const float* g = dy + r * d;
      const float* v = y + r * d;
      for (int64_t j = 0; j < d; j++) o[j] = g[j] * v[j];
      const float s = sum_contiguous(o, d);
      for (int64_t j = 0; j < d; j++) {
        const float sv = s * v[j];
        o[j] = o[j] - sv;
      }
    }
  });
}
#pragma GCC pop_options

// ---------------------------------------------------------------------------------------------------
// Transpose: out = x permuted (rank <= 8). Trailing dims that keep their place form contiguous runs
// copied whole; the rest is walked with an odometer over the output's leading dims.
void transpose(float* out, const float* x, const int64_t* shape, const int64_t* perm, int rank, int threads) {
  int64_t inStride[8];
  int64_t acc = 1;
  for (int d = rank - 1; d >= 0; d--) {
    inStride[d] = acc;
    acc *= shape[d];
  }
  const int64_t n = acc;
  int tail = 0;
  int64_t run = 1;
  while (tail < rank && perm[rank - 1 - tail] == rank - 1 - tail) {
    run *= shape[rank - 1 - tail];
    tail++;
  }
  const int lead = rank - tail;  // output dims walked by the odometer
  int64_t outDim[8], srcStride[8];
  for (int d = 0; d < lead; d++) {
    outDim[d] = shape[perm[d]];
    srcStride[d] = inStride[perm[d]];
  }
  if (lead == 0) {
    std::memcpy(out, x, sizeof(float) * n);
    return;
  }
  const int64_t outer = n / run;  // output positions of the odometer
  const int t = n >= kParallelElementsT ? threads : 1;
  parallel_for(outer, t, [&](int64_t b, int64_t e) {
    // Odometer start at flat output index b.
    int64_t idx[8];
    int64_t rem = b, src = 0;
    for (int d = lead - 1; d >= 0; d--) {
      idx[d] = rem % outDim[d];
      rem /= outDim[d];
      src += idx[d] * srcStride[d];
    }
    for (int64_t o = b; o < e; o++) {
      if (run == 1) out[o] = x[src];
      else std::memcpy(out + o * run, x + src, sizeof(float) * run);
      for (int d = lead - 1; d >= 0; d--) {
        src += srcStride[d];
        if (++idx[d] < outDim[d]) break;
        src -= srcStride[d] * outDim[d];
        idx[d] = 0;
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// The CPU's fp32 multiply-add peak, measured: 12 independent 16-lane FMA chains per thread (enough to
// cover the FMA latency on two ports), `iters` rounds. Returns GFLOP/s over all threads; the sums
// are written to `sink` so the compiler keeps the work.
double fma_peak(int64_t iters, int threads, float* sink) {
  std::atomic<int64_t> nanos{0};
  const auto t0 = std::chrono::steady_clock::now();
  parallel_parts(threads, threads, [&](int64_t, int64_t, int part) {
    v16 acc[12];
    for (int i = 0; i < 12; i++) acc[i] = splat(static_cast<float>(i + part) * 1e-3f);
    const v16 m = splat(0.999999f), a = splat(1e-7f);
    for (int64_t r = 0; r < iters; r++)
      for (int i = 0; i < 12; i++) acc[i] = acc[i] * m + a;
    v16 s = acc[0];
    for (int i = 1; i < 12; i++) s += acc[i];
    sink[part] = s[0];
  });
  nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
  const double flops = static_cast<double>(iters) * 12 * 16 * 2 * threads;
  return flops / static_cast<double>(nanos.load());
}

// ---------------------------------------------------------------------------------------------------
// Node-API glue.

#define CHECK(call)                                   \
  do {                                                \
    if ((call) != napi_ok) return fail(env, #call);   \
  } while (0)

napi_value fail(napi_env env, const char* what) {
  const napi_extended_error_info* info = nullptr;
  napi_get_last_error_info(env, &info);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, "ERR_LOSSWORKS_NATIVE", info && info->error_message ? info->error_message : what);
  return nullptr;
}

napi_value type_error(napi_env env, const char* msg) {
  napi_throw_type_error(env, "ERR_LOSSWORKS_NATIVE", msg);
  return nullptr;
}

// The call's first n arguments into argv; false after throwing a TypeError with the usage `usage`.
bool get_args(napi_env env, napi_callback_info info, size_t n, napi_value* argv, const char* usage) {
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) == napi_ok && argc >= n) return true;
  char msg[200];
  std::snprintf(msg, sizeof msg, "lossworks native kernels: %s takes %zu arguments", usage, n);
  napi_throw_type_error(env, "ERR_LOSSWORKS_NATIVE", msg);
  return false;
}

// A Float32Array argument: data and length, or nullptr after throwing.
bool f32_arg(napi_env env, napi_value v, float** data, size_t* len, const char* name) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  char msg[160];
  if (!is) {
    std::snprintf(msg, sizeof msg, "lossworks native kernels: %s must be a Float32Array", name);
    napi_throw_type_error(env, "ERR_LOSSWORKS_NATIVE", msg);
    return false;
  }
  napi_typedarray_type type;
  void* ptr = nullptr;
  napi_value buf;
  size_t offset = 0;
  napi_get_typedarray_info(env, v, &type, len, &ptr, &buf, &offset);
  if (type != napi_float32_array) {
    std::snprintf(msg, sizeof msg, "lossworks native kernels: %s must be a Float32Array (got another typed array)", name);
    napi_throw_type_error(env, "ERR_LOSSWORKS_NATIVE", msg);
    return false;
  }
  *data = static_cast<float*>(ptr);
  return true;
}

bool i64_arg(napi_env env, napi_value v, int64_t* out, const char* name) {
  if (napi_get_value_int64(env, v, out) != napi_ok) {
    char msg[120];
    std::snprintf(msg, sizeof msg, "lossworks native kernels: %s must be a number", name);
    napi_throw_type_error(env, "ERR_LOSSWORKS_NATIVE", msg);
    return false;
  }
  return true;
}

napi_value range_error(napi_env env, const char* msg) {
  napi_throw_range_error(env, "ERR_LOSSWORKS_NATIVE", msg);
  return nullptr;
}



// Reads the 15 geometry numbers of argument `v` into g (after checking them); false after throwing.
bool geo_arg(napi_env env, napi_value v, ConvGeo* g) {
  int64_t a[15];
  for (uint32_t k = 0; k < 15; k++) {
    napi_value e;
    if (napi_get_element(env, v, k, &e) != napi_ok) {
      napi_throw_type_error(env, "ERR_LOSSWORKS_NATIVE", "lossworks native kernels: geometry must be an array of 15 numbers");
      return false;
    }
    if (!i64_arg(env, e, &a[k], "geometry entry")) return false;
  }
  for (int k = 0; k < 13; k++)
    if (a[k] <= 0) {
      napi_throw_range_error(env, "ERR_LOSSWORKS_NATIVE", "lossworks native kernels: geometry sizes, strides and dilations must be positive");
      return false;
    }
  int* f = &g->n;
  for (int k = 0; k < 15; k++) f[k] = static_cast<int>(a[k]);
  return true;
}

bool check_len(napi_env env, size_t got, int64_t want, const char* what) {
  if (static_cast<int64_t>(got) == want) return true;
  char msg[160];
  std::snprintf(msg, sizeof msg, "lossworks native kernels: %s has %zu elements, the geometry needs %lld", what, got, static_cast<long long>(want));
  napi_throw_range_error(env, "ERR_LOSSWORKS_NATIVE", msg);
  return false;
}

// filterGrad(x, dy, dw, geo: Int32Array-like numbers[15], threads)
napi_value FilterGrad(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!get_args(env, info, 5, argv, "filterGrad(x, dy, dw, geometry, threads)")) return nullptr;
  float *x, *dy, *dw;
  size_t nx, ndy, ndw;
  if (!f32_arg(env, argv[0], &x, &nx, "x") || !f32_arg(env, argv[1], &dy, &ndy, "dy") || !f32_arg(env, argv[2], &dw, &ndw, "dw")) return nullptr;
  ConvGeo g;
  if (!geo_arg(env, argv[3], &g)) return nullptr;
  int64_t threads;
  if (!i64_arg(env, argv[4], &threads, "threads")) return nullptr;
  if (!check_len(env, nx, static_cast<int64_t>(g.n) * g.inH * g.inW * g.inC, "x") || !check_len(env, ndy, static_cast<int64_t>(g.n) * g.outH * g.outW * g.outC, "dy") ||
      !check_len(env, ndw, static_cast<int64_t>(g.kH) * g.kW * g.inC * g.outC, "dw"))
    return nullptr;
  filter_grad(g, x, dy, dw, static_cast<int>(threads));
  return nullptr;
}

// convForward(x, w, bias | null, y, geometry, activation, alpha, threads)
napi_value ConvForward(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!get_args(env, info, 8, argv, "convForward(x, w, bias, y, geometry, activation, alpha, threads)")) return nullptr;
  float *x, *w, *y, *bias = nullptr;
  size_t nx, nw, ny, nb = 0;
  if (!f32_arg(env, argv[0], &x, &nx, "x") || !f32_arg(env, argv[1], &w, &nw, "w") || !f32_arg(env, argv[3], &y, &ny, "y")) return nullptr;
  napi_valuetype bt;
  CHECK(napi_typeof(env, argv[2], &bt));
  if (bt != napi_null && bt != napi_undefined && !f32_arg(env, argv[2], &bias, &nb, "bias")) return nullptr;
  ConvGeo g;
  if (!geo_arg(env, argv[4], &g)) return nullptr;
  int64_t act, threads;
  double alpha;
  if (!i64_arg(env, argv[5], &act, "activation") || !i64_arg(env, argv[7], &threads, "threads")) return nullptr;
  if (napi_get_value_double(env, argv[6], &alpha) != napi_ok) return type_error(env, "lossworks native kernels: alpha must be a number");
  if (act < ACT_LINEAR || act > ACT_SIGMOID) return range_error(env, "lossworks native kernels: unknown activation code");
  if (!check_len(env, nx, static_cast<int64_t>(g.n) * g.inH * g.inW * g.inC, "x") || !check_len(env, nw, static_cast<int64_t>(g.kH) * g.kW * g.inC * g.outC, "w") ||
      !check_len(env, ny, static_cast<int64_t>(g.n) * g.outH * g.outW * g.outC, "y") || (bias && !check_len(env, nb, g.outC, "bias")))
    return nullptr;
  conv_forward(g, x, w, bias, static_cast<int>(act), static_cast<float>(alpha), y, static_cast<int>(threads));
  return nullptr;
}

// convInputGrad(dy, w, dx, geometry, threads)
napi_value ConvInputGrad(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!get_args(env, info, 5, argv, "convInputGrad(dy, w, dx, geometry, threads)")) return nullptr;
  float *dy, *w, *dx;
  size_t ndy, nw, ndx;
  if (!f32_arg(env, argv[0], &dy, &ndy, "dy") || !f32_arg(env, argv[1], &w, &nw, "w") || !f32_arg(env, argv[2], &dx, &ndx, "dx")) return nullptr;
  ConvGeo g;
  if (!geo_arg(env, argv[3], &g)) return nullptr;
  int64_t threads;
  if (!i64_arg(env, argv[4], &threads, "threads")) return nullptr;
  if (!check_len(env, ndy, static_cast<int64_t>(g.n) * g.outH * g.outW * g.outC, "dy") || !check_len(env, nw, static_cast<int64_t>(g.kH) * g.kW * g.inC * g.outC, "w") ||
      !check_len(env, ndx, static_cast<int64_t>(g.n) * g.inH * g.inW * g.inC, "dx"))
    return nullptr;
  conv_input_grad(g, dy, w, dx, static_cast<int>(threads));
  return nullptr;
}

// reduce(op, out, x, outer, mid, inner, threads)
napi_value ReduceOp(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!get_args(env, info, 7, argv, "reduce(op, out, x, outer, mid, inner, threads)")) return nullptr;
  int64_t op, outer, mid, inner, threads;
  if (!i64_arg(env, argv[0], &op, "op") || !i64_arg(env, argv[3], &outer, "outer") || !i64_arg(env, argv[4], &mid, "mid") || !i64_arg(env, argv[5], &inner, "inner") ||
      !i64_arg(env, argv[6], &threads, "threads"))
    return nullptr;
  float *o, *x;
  size_t no, nx;
  if (!f32_arg(env, argv[1], &o, &no, "out") || !f32_arg(env, argv[2], &x, &nx, "x")) return nullptr;
  if (outer < 1 || mid < 1 || inner < 1) return range_error(env, "lossworks native kernels: reduce sizes must be positive");
  if (op < R_SUM || op > R_MIN) return range_error(env, "lossworks native kernels: unknown reduce op code");
  if (!check_len(env, nx, outer * mid * inner, "x") || !check_len(env, no, outer * inner, "out")) return nullptr;
  reduce(static_cast<int>(op), o, x, outer, mid, inner, static_cast<int>(threads));
  return nullptr;
}

// softmaxGrad(out, dy, y, d, threads)
napi_value SoftmaxGrad(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!get_args(env, info, 5, argv, "softmaxGrad(out, dy, y, d, threads)")) return nullptr;
  float *o, *dy, *y;
  size_t no, ndy, ny;
  int64_t d, threads;
  if (!f32_arg(env, argv[0], &o, &no, "out") || !f32_arg(env, argv[1], &dy, &ndy, "dy") || !f32_arg(env, argv[2], &y, &ny, "y")) return nullptr;
  if (!i64_arg(env, argv[3], &d, "d") || !i64_arg(env, argv[4], &threads, "threads")) return nullptr;
  if (d < 1 || no % d != 0 || ndy != no || ny != no) return range_error(env, "lossworks native kernels: softmaxGrad needs out, dy, y of one length, a multiple of d");
  softmax_grad(o, dy, y, static_cast<int64_t>(no) / d, d, static_cast<int>(threads));
  return nullptr;
}

// park(): the pool's polling workers go to sleep (ONNX Runtime's threads are about to run).
napi_value Park(napi_env, napi_callback_info) {
  pool().park();
  return nullptr;
}

// adam(p, g, m0, v0, k[9], mode, pOut, mOut, vOut, threads)
napi_value Adam(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  if (!get_args(env, info, 10, argv, "adam(p, g, m0, v0, k, mode, pOut, mOut, vOut, threads)")) return nullptr;
  float* a[9];
  size_t len[9];
  const char* names[9] = {"p", "g", "m0", "v0", "k", "", "pOut", "mOut", "vOut"};
  for (int i = 0; i < 9; i++) {
    if (i == 5) continue;
    if (!f32_arg(env, argv[i], &a[i], &len[i], names[i])) return nullptr;
  }
  int64_t mode, threads;
  if (!i64_arg(env, argv[5], &mode, "mode") || !i64_arg(env, argv[9], &threads, "threads")) return nullptr;
  const size_t n = len[0];
  if (len[4] != 9) return range_error(env, "lossworks native kernels: adam constants k must have 9 elements");
  for (int i : {1, 2, 3, 6, 7, 8})
    if (len[i] != n) return range_error(env, "lossworks native kernels: adam arrays p, g, m0, v0, pOut, mOut, vOut must have one length");
  adam(a[0], a[1], a[2], a[3], a[4], static_cast<int>(mode), a[6], a[7], a[8], static_cast<int64_t>(n), static_cast<int>(threads));
  return nullptr;
}

// matMul(a, b, bias | null, c, [batch, strideA, strideB, M, N, K, ta, tb], act, alpha, threads)
napi_value MatMul(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!get_args(env, info, 8, argv, "matMul(a, b, bias, c, dims, act, alpha, threads)")) return nullptr;
  float *a, *b, *c, *bias = nullptr;
  size_t na, nb, nc, nbias = 0;
  if (!f32_arg(env, argv[0], &a, &na, "a") || !f32_arg(env, argv[1], &b, &nb, "b") || !f32_arg(env, argv[3], &c, &nc, "c")) return nullptr;
  napi_valuetype bt;
  CHECK(napi_typeof(env, argv[2], &bt));
  if (bt != napi_null && bt != napi_undefined && !f32_arg(env, argv[2], &bias, &nbias, "bias")) return nullptr;
  int64_t d[8];
  for (uint32_t k = 0; k < 8; k++) {
    napi_value e;
    CHECK(napi_get_element(env, argv[4], k, &e));
    if (!i64_arg(env, e, &d[k], "dims entry")) return nullptr;
  }
  int64_t act, threads;
  double alpha;
  if (!i64_arg(env, argv[5], &act, "activation") || !i64_arg(env, argv[7], &threads, "threads")) return nullptr;
  if (napi_get_value_double(env, argv[6], &alpha) != napi_ok) return type_error(env, "lossworks native kernels: alpha must be a number");
  const int64_t batch = d[0], sA = d[1], sB = d[2], M = d[3], N = d[4], K = d[5];
  if (batch < 1 || M < 1 || N < 1 || K < 1 || sA < 0 || sB < 0) return range_error(env, "lossworks native kernels: matMul sizes must be positive and strides non-negative");
  if (act < ACT_LINEAR || act > ACT_SIGMOID) return range_error(env, "lossworks native kernels: unknown activation code");
  if (!check_len(env, na, (batch - 1) * sA + M * K, "a") || !check_len(env, nb, (batch - 1) * sB + K * N, "b") || !check_len(env, nc, batch * M * N, "c") ||
      (bias && !check_len(env, nbias, N, "bias")))
    return nullptr;
  gemm(a, b, bias, c, batch, sA, sB, static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), d[6] != 0, d[7] != 0, static_cast<int>(act), static_cast<float>(alpha), static_cast<int>(threads));
  return nullptr;
}

// fmaPeak(iterations, threads, sink: Float32Array(threads)) -> GFLOP/s
napi_value FmaPeak(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, 3, argv, "fmaPeak(iterations, threads, sink)")) return nullptr;
  int64_t iters, threads;
  float* sink;
  size_t ns;
  if (!i64_arg(env, argv[0], &iters, "iterations") || !i64_arg(env, argv[1], &threads, "threads") || !f32_arg(env, argv[2], &sink, &ns, "sink")) return nullptr;
  if (iters < 1 || threads < 1 || static_cast<int64_t>(ns) < threads) return range_error(env, "lossworks native kernels: fmaPeak needs iterations, threads >= 1 and a sink of `threads` floats");
  napi_value out;
  CHECK(napi_create_double(env, fma_peak(iters, static_cast<int>(threads), sink), &out));
  return out;
}

// transpose(out, x, shape[], perm[], threads)
napi_value Transpose(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!get_args(env, info, 5, argv, "transpose(out, x, shape, perm, threads)")) return nullptr;
  float *o, *x;
  size_t no, nx;
  if (!f32_arg(env, argv[0], &o, &no, "out") || !f32_arg(env, argv[1], &x, &nx, "x")) return nullptr;
  uint32_t rank = 0;
  CHECK(napi_get_array_length(env, argv[2], &rank));
  uint32_t prank = 0;
  CHECK(napi_get_array_length(env, argv[3], &prank));
  if (rank < 1 || rank > 8 || prank != rank) return range_error(env, "lossworks native kernels: transpose needs shape and perm of one rank, 1 to 8");
  int64_t shape[8], perm[8];
  bool seen[8] = {false};
  int64_t n = 1;
  for (uint32_t k = 0; k < rank; k++) {
    napi_value e;
    CHECK(napi_get_element(env, argv[2], k, &e));
    if (!i64_arg(env, e, &shape[k], "shape entry")) return nullptr;
    CHECK(napi_get_element(env, argv[3], k, &e));
    if (!i64_arg(env, e, &perm[k], "perm entry")) return nullptr;
    if (shape[k] < 1 || perm[k] < 0 || perm[k] >= rank || seen[perm[k]]) return range_error(env, "lossworks native kernels: transpose shape must be positive and perm a permutation");
    seen[perm[k]] = true;
    n *= shape[k];
  }
  int64_t threads;
  if (!i64_arg(env, argv[4], &threads, "threads")) return nullptr;
  if (!check_len(env, nx, n, "x") || !check_len(env, no, n, "out")) return nullptr;
  transpose(o, x, shape, perm, static_cast<int>(rank), static_cast<int>(threads));
  return nullptr;
}

// wake(): the pool's sleeping workers poll again (ONNX Runtime's threads are done).
napi_value Wake(napi_env, napi_callback_info) {
  pool().wake();
  return nullptr;
}

template <int OP>
void binary_dispatch(const Plan& p, float* o, const float* a, const float* b, int t) {
  binary_op<OP>(p, o, a, b, t);
}

// binary(op, out, a, b, dims[3], sa[3], sb[3], threads): out[i,k,j] = a[i·sa0+k·sa1+j·sa2] ∘ b[…].
napi_value BinaryOp(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!get_args(env, info, 8, argv, "binary(op, out, a, b, dims, sa, sb, threads)")) return nullptr;
  int64_t op, threads;
  if (!i64_arg(env, argv[0], &op, "op") || !i64_arg(env, argv[7], &threads, "threads")) return nullptr;
  float *o, *a, *b;
  size_t no, na, nb;
  if (!f32_arg(env, argv[1], &o, &no, "out") || !f32_arg(env, argv[2], &a, &na, "a") || !f32_arg(env, argv[3], &b, &nb, "b")) return nullptr;
  Plan p;
  for (uint32_t k = 0; k < 3; k++) {
    napi_value e;
    CHECK(napi_get_element(env, argv[4], k, &e));
    if (!i64_arg(env, e, &p.d[k], "dims entry")) return nullptr;
    CHECK(napi_get_element(env, argv[5], k, &e));
    if (!i64_arg(env, e, &p.sa[k], "sa entry")) return nullptr;
    CHECK(napi_get_element(env, argv[6], k, &e));
    if (!i64_arg(env, e, &p.sb[k], "sb entry")) return nullptr;
  }
  const int64_t n = p.d[0] * p.d[1] * p.d[2];
  if (p.d[0] < 1 || p.d[1] < 1 || p.d[2] < 1 || static_cast<int64_t>(no) != n) return range_error(env, "lossworks native kernels: binary out length does not match dims");
  const int64_t lastA = (p.d[0] - 1) * p.sa[0] + (p.d[1] - 1) * p.sa[1] + (p.d[2] - 1) * p.sa[2];
  const int64_t lastB = (p.d[0] - 1) * p.sb[0] + (p.d[1] - 1) * p.sb[1] + (p.d[2] - 1) * p.sb[2];
  for (int k = 0; k < 3; k++)
    if (p.sa[k] < 0 || p.sb[k] < 0) return range_error(env, "lossworks native kernels: binary strides must be non-negative");
  if (lastA >= static_cast<int64_t>(na) || lastB >= static_cast<int64_t>(nb)) return range_error(env, "lossworks native kernels: binary strides reach past an input");
  const int t = static_cast<int>(threads);
  switch (op) {
    case ADD: binary_dispatch<ADD>(p, o, a, b, t); break;
    case SUB: binary_dispatch<SUB>(p, o, a, b, t); break;
    case MUL: binary_dispatch<MUL>(p, o, a, b, t); break;
    case DIV: binary_dispatch<DIV>(p, o, a, b, t); break;
    case MAX: binary_dispatch<MAX>(p, o, a, b, t); break;
    case MIN: binary_dispatch<MIN>(p, o, a, b, t); break;
    case SQDIFF: binary_dispatch<SQDIFF>(p, o, a, b, t); break;
    case RELU_GRAD: binary_dispatch<RELU_GRAD>(p, o, a, b, t); break;
    case SIGMOID_GRAD: binary_dispatch<SIGMOID_GRAD>(p, o, a, b, t); break;
    case TANH_GRAD: binary_dispatch<TANH_GRAD>(p, o, a, b, t); break;
    case FIRST: binary_dispatch<FIRST>(p, o, a, b, t); break;
    default: return range_error(env, "lossworks native kernels: unknown binary op code");
  }
  return nullptr;
}

// unary(op, out, x, alpha, threads)
napi_value UnaryOp(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!get_args(env, info, 5, argv, "unary(op, out, x, alpha, threads)")) return nullptr;
  int64_t op, threads;
  double alpha = 0;
  if (!i64_arg(env, argv[0], &op, "op") || !i64_arg(env, argv[4], &threads, "threads")) return nullptr;
  if (napi_get_value_double(env, argv[3], &alpha) != napi_ok) return type_error(env, "lossworks native kernels: alpha must be a number");
  float *o, *x;
  size_t no, nx;
  if (!f32_arg(env, argv[1], &o, &no, "out") || !f32_arg(env, argv[2], &x, &nx, "x")) return nullptr;
  if (no != nx) return range_error(env, "lossworks native kernels: unary out and x lengths differ");
  const int64_t n = static_cast<int64_t>(nx);
  const float al = static_cast<float>(alpha);
  const int t = static_cast<int>(threads);
  switch (op) {
    case RELU: unary_op<RELU>(o, x, n, al, t); break;
    case RELU6: unary_op<RELU6>(o, x, n, al, t); break;
    case SIGMOID: unary_op<SIGMOID>(o, x, n, al, t); break;
    case TANH: unary_op<TANH>(o, x, n, al, t); break;
    case EXP: unary_op<EXP>(o, x, n, al, t); break;
    case SQRT: unary_op<SQRT>(o, x, n, al, t); break;
    case RSQRT: unary_op<RSQRT>(o, x, n, al, t); break;
    case SQUARE: unary_op<SQUARE>(o, x, n, al, t); break;
    case NEG: unary_op<NEG>(o, x, n, al, t); break;
    case ABS: unary_op<ABS>(o, x, n, al, t); break;
    case RECIPROCAL: unary_op<RECIPROCAL>(o, x, n, al, t); break;
    case STEP: unary_op<STEP>(o, x, n, al, t); break;
    case LEAKY_RELU: unary_op<LEAKY_RELU>(o, x, n, al, t); break;
    case ELU: unary_op<ELU>(o, x, n, al, t); break;
    default: return range_error(env, "lossworks native kernels: unknown unary op code");
  }
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"filterGrad", nullptr, FilterGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, BinaryOp, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, UnaryOp, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transpose", nullptr, Transpose, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fmaPeak", nullptr, FmaPeak, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matMul", nullptr, MatMul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"park", nullptr, Park, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"wake", nullptr, Wake, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmaxGrad", nullptr, SoftmaxGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduce", nullptr, ReduceOp, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"convForward", nullptr, ConvForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"convInputGrad", nullptr, ConvInputGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  napi_value version;
  napi_create_int32(env, 10, &version);
  napi_set_named_property(env, exports, "abiVersion", version);
  return exports;
}

}  // namespace

NAPI_MODULE(lossworks_kernels, Init)
