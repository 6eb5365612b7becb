// examples/readme/backend.ts
import { describeSelection, selectBackend } from '../../src/index.js';

// Tries tfjs-node-gpu, tfjs-node, onnx, wasm, cpu in turn; LOSSWORKS_BACKEND=<name> forces one.
const sel = await selectBackend({ threads: 2 }); // threads: ONNX Runtime intra-op threads of the 'onnx' backend
console.log(sel.name, sel.tfBackend); // e.g. "onnx onnx"
console.log(describeSelection(sel)); // one line per attempt: "tfjs-node: skipped (...)", "onnx: selected (...)"
