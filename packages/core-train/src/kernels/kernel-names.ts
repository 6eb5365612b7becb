// Names of the kernels core-train adds to TF.js backends, shared by the kernels and the gradients
// that call them (./gradients.ts imports only this module, so importing core-train loads no kernels).

/** dy · step(x) in one pass (relu's gradient). Inputs dy, x. */
export const RELU_GRAD = 'LossworksReluGrad';
/** dy · y · (1 − y), the sigmoid gradient from its output y. Inputs dy, y. */
export const SIGMOID_GRAD = 'LossworksSigmoidGrad';
/** (1 − y²) · dy, the tanh gradient from its output y. Inputs dy, y. */
export const TANH_GRAD = 'LossworksTanhGrad';
/** dy·y − Σ(dy·y)·y over the last axis, the softmax gradient from its output y. Inputs dy, y. */
export const SOFTMAX_GRAD = 'LossworksSoftmaxGrad';
