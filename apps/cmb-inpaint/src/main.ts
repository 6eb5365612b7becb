// cmb-inpaint entry point: the command table runs with errors mapped to exit codes (STYLE §4).
// TF.js (the full @tensorflow/tfjs bundle, with gradients) loads with the first command that needs it,
// through core-train; --help, --version and config errors answer without it.
import { runMain } from '@lossworks/cli-kit';
import { buildProgram } from './cli.js';

await runMain(buildProgram());
