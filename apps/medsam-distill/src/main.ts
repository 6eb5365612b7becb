#!/usr/bin/env node
// medsam-distill entry point: runs the command table; errors become exit codes (cli-kit runMain:
// 2 config/usage, 3 data, 4 other library errors, 1 bugs). Loads @tensorflow/tfjs first (gradients,
// chained ops) before anything touches tensors.
import '@tensorflow/tfjs';
import { runMain } from '@lossworks/cli-kit';
import { buildProgram } from './cli.js';

await runMain(buildProgram());
