// The medsam-distill command table (STYLE §5): each action lazy-imports its command, which returns a
// result; printResult writes it to stdout (one JSON document with --json), logs go to stderr.
import { createRequire } from 'node:module';
import { Command, Option } from 'commander';
import { parseInteger, printResult, processIo, type Io } from '@lossworks/cli-kit';
import { BACKEND_ORDER } from '@lossworks/core-train';
import type { RunOptions } from './commands/common.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const MODELS = ['teacher', 'student-kd', 'student-scratch'] as const;

function runOptions(cmd: Command, example: string): Command {
  return cmd
    .requiredOption('-c, --config <file>', 'run config (see config.schema.json)')
    .option('--out <dir>', 'run folder (default: the config\'s "out", else runs/<name>)')
    .option('--seed <n>', "override the config's seed", parseInteger)
    .addOption(new Option('--backend <name>', 'tensor backend (default: the fastest that loads)').choices([...BACKEND_ORDER]))
    .option('--json', 'print the result as one JSON document on stdout')
    .addHelpText('after', `\nExample:\n  ${example}`);
}

/** The `medsam-distill` program (commander), with errors passed to main (exitOverride). */
export function buildProgram(io: Io = processIo): Command {
  const program = new Command('medsam-distill')
    .description('Distil a SAM-style segmenter (ViT teacher) into a small CNN student for medical images: train, distil, fine-tune, evaluate, export.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), getOutHelpWidth: () => 100, getErrHelpWidth: () => 100 });
  const print = (result: unknown, opts: { json?: boolean }) => printResult(result, opts, io);

  // The run commands: same options (runOptions), each module imported when its command runs.
  const runCommands: Array<[name: string, description: string, example: string, run: (opts: RunOptions) => Promise<unknown>]> = [
    ['prepare-data', 'Generate or load the images, split them by group, cache them preprocessed.', '', async (o) => (await import('./commands/prepare-data.js')).prepareData(o, io)],
    ['train-teacher', 'Train the ViT teacher (encoder + prompt encoder + mask decoder) end to end.', '', async (o) => (await import('./commands/train-teacher.js')).trainTeacherCommand(o, io)],
    ['distill', 'Stage 1: distil the teacher image encoder into the CNN student (MSE + perceptual loss).', '', async (o) => (await import('./commands/distill.js')).distillCommand(o, io)],
    ['finetune', "Stage 2: fine-tune the decoder on the student's embeddings (Dice + BCE, jittered boxes).", '', async (o) => (await import('./commands/finetune.js')).finetuneCommand(o, io)],
    ['train-scratch', 'The control: the same student from scratch with Dice only, same step budget.', '', async (o) => (await import('./commands/train-scratch.js')).trainScratchCommand(o, io)],
    ['eval', 'Dice, IoU, HD95 per dataset, parameters, MACs, TF.js and ONNX Runtime latency of every trained model.', ' --json', async (o) => (await import('./commands/eval.js')).evalCommand(o, io)],
    ['report', 'Write the HTML report (tables, overlays, latency chart, training curves) from eval.json.', '', async (o) => (await import('./commands/report.js')).reportCommand(o, io)],
    ['run', 'Every stage in order: prepare-data, train-teacher, distill, finetune, train-scratch, eval, report.', '', async (o) => (await import('./commands/run.js')).runCommand(o, io)],
  ];
  for (const [name, description, exampleFlags, run] of runCommands) {
    runOptions(program.command(name).description(description), `medsam-distill ${name} -c configs/demo.json${exampleFlags}`).action(async (opts) => print(await run(opts), opts));
  }
  program
    .command('export')
    .description('Export trained models to ONNX (NHWC image, point_coords, point_labels → masks, iou_predictions).')
    .option('-c, --config <file>', 'run config: export the models of its run folder')
    .option('--out <dir>', 'run folder (default: from the config)')
    .addOption(new Option('--model <name>', 'which model of the run').choices([...MODELS, 'all']).default('all'))
    .option('--weights <file>', 'export this model file instead (needs --output)')
    .option('--output <path>', 'output .onnx file (with --weights) or folder (default <out>/onnx)')
    .option('--json', 'print the result as one JSON document on stdout')
    .addHelpText('after', '\nExamples:\n  medsam-distill export -c configs/demo.json --model student-kd\n  medsam-distill export --weights runs/demo/models/student-kd.safetensors --output student.onnx')
    .action(async (opts) => print(await (await import('./commands/export.js')).exportCommand(opts, io), opts));
  program
    .command('predict')
    .description('Segment one image from a box (and/or points) and write the mask as a PNG at the image size.')
    .requiredOption('-m, --model <file>', 'model file (e.g. runs/demo/models/student-kd.safetensors)')
    .requiredOption('-i, --image <file>', 'input image (PNG, JPEG, ...)')
    .option('-b, --box <x0,y0,x1,y1>', 'box prompt in image pixels')
    .option('-p, --points <x,y,label;...>', 'point prompts in image pixels, label 1 foreground / 0 background')
    .requiredOption('-o, --output <file>', 'mask PNG to write (0/255)')
    .addOption(new Option('--backend <name>', 'tensor backend').choices([...BACKEND_ORDER]))
    .option('--json', 'print the result as one JSON document on stdout')
    .addHelpText('after', '\nExample:\n  medsam-distill predict -m runs/demo/models/student-kd.safetensors -i polyp.jpg -b 40,30,200,180 -o mask.png')
    .action(async (opts) => print(await (await import('./commands/predict.js')).predictCommand(opts, io), opts));
  return program;
}
