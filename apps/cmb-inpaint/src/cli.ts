// The `cmb-inpaint` command table (STYLE §5): each action lazy-imports its command, which returns a
// result; results go to stdout (`--json`: one JSON document), logs and progress to stderr.
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { parseInteger, parseNumber, printResult, processIo, type Io } from '@lossworks/cli-kit';
import { BACKENDS } from './config/schema.js';

/** The app's version (package.json). */
export const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const PIPELINE = `
Pipeline (each step reads what the one before wrote under runs/<name>/):
  cmb-inpaint simulate -c configs/demo.json   # skies, mask, spectrum  → runs/demo/data/
  cmb-inpaint train    -c configs/demo.json   # the network            → runs/demo/model.safetensors
  cmb-inpaint eval     -c configs/demo.json   # all methods, metrics   → runs/demo/eval/eval.json
  cmb-inpaint report   -c configs/demo.json   # HTML + PNG             → runs/demo/report/report.html
  cmb-inpaint inpaint --model runs/demo/model.safetensors --input map.fits --output filled.fits

Configs are JSON files checked against config.schema.json. Exit codes: 0 ok (also "missing, skipped"
when a real-data config's shared data set is absent), 2 bad config or usage, 3 bad or missing data,
4 other library errors, 1 a bug.`;

/** Runs a command and prints its result; a missing shared data set is reported as skipped (exit 0). */
async function run<T>(opts: { json?: boolean }, io: Io, fn: () => Promise<T>, what: string): Promise<void> {
  try {
    printResult(await fn(), opts, io);
  } catch (err) {
    if ((err as { name?: string }).name === 'SharedDataMissing') {
      io.stderr.write(`cmb-inpaint ${what}: missing, skipped: ${(err as Error).message}\n`);
      printResult({ skipped: true, reason: (err as Error).message, summary: `skipped: ${(err as Error).message}` }, opts, io);
      return;
    }
    throw err;
  }
}

const backendOption = () => new Option('--backend <name>', 'TF.js backend (overrides train.backend)').choices(BACKENDS);

/** The commander program of `cmb-inpaint`. */
export function buildProgram(io: Io = processIo): Command {
  const program = new Command('cmb-inpaint')
    .description('SkyReconNet-style inpainting of masked CMB temperature maps on the HEALPix sphere, judged on the angular power spectrum.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .addHelpText('after', PIPELINE);

  program
    .command('simulate')
    .description('Simulate Gaussian CMB skies (train/val/test) from the config\'s spectrum, beam and noise, and build its mask.')
    .requiredOption('-c, --config <file>', 'config file (see config.schema.json)')
    .option('-o, --out <dir>', 'run folder (default runs/<name>)')
    .option('--json', 'print the result as one JSON document on stdout')
    .addHelpText('after', '\nExample:\n  cmb-inpaint simulate -c configs/demo.json --json | jq .manifest.fSky')
    .action(async (opts) => run(opts, io, async () => (await import('./commands/simulate.js')).simulate(opts, io), 'simulate'));

  program
    .command('train')
    .description('Train the inpainting network on the simulated skies with the loss α(1 − SSIM) + (1 − α)·MSE.')
    .requiredOption('-c, --config <file>', 'config file (see config.schema.json)')
    .option('-o, --out <dir>', 'run folder (default runs/<name>)')
    .option('--steps <n>', 'optimizer steps (overrides train.steps)', parseInteger)
    .option('--alpha <a>', 'SSIM weight α in [0, 1] (overrides train.alpha)', parseNumber)
    .option('--seed <n>', 'seed of initialisation and batches (overrides train.seed)', parseInteger)
    .addOption(backendOption())
    .option('--json', 'print the result as one JSON document on stdout')
    .addHelpText('after', '\nExamples:\n  cmb-inpaint train -c configs/demo.json\n  LOSSWORKS_BACKEND=wasm cmb-inpaint train -c configs/demo.json --steps 20 --alpha 0 --json')
    .action(async (opts) => run(opts, io, async () => (await import('./commands/train.js')).train(opts, io), 'train'));

  program
    .command('eval')
    .description('Fill the test skies with mean fill, diffusion, the Wiener filter and the network (and the α ablation); score them in the hole and on C_ℓ.')
    .requiredOption('-c, --config <file>', 'config file (see config.schema.json)')
    .option('-o, --out <dir>', 'run folder (default runs/<name>)')
    .option('--no-ablation', "skip the config's α ablation")
    .addOption(backendOption())
    .option('--json', 'print the result as one JSON document on stdout')
    .addHelpText('after', '\nExamples:\n  cmb-inpaint eval -c configs/demo.json\n  cmb-inpaint eval -c configs/demo.json --no-ablation --json | jq .headline')
    .action(async (opts) => run(opts, io, async () => (await import('./commands/eval.js')).evaluate(opts, io), 'eval'));

  program
    .command('report')
    .description('Write the HTML report (Mollweide maps, spectra with the cosmic-variance band, tables, training curves).')
    .requiredOption('-c, --config <file>', 'config file (see config.schema.json)')
    .option('-o, --out <dir>', 'run folder (default runs/<name>)')
    .option('--width <px>', 'Mollweide image width in pixels (even)', parseInteger, 640)
    .option('--json', 'print the result as one JSON document on stdout')
    .addHelpText('after', '\nExample:\n  cmb-inpaint report -c configs/demo.json && xdg-open runs/demo/report/report.html')
    .action(async (opts) => run(opts, io, async () => (await import('./commands/report.js')).report(opts, io), 'report'));

  program
    .command('inpaint')
    .description('Fill the masked pixels of a HEALPix FITS map (FITS in, FITS out) with the trained network or a baseline.')
    .requiredOption('-i, --input <file>', 'HEALPix FITS map in μK (UNSEEN pixels count as masked)')
    .requiredOption('--output <file>', 'FITS file to write (RING, float32)')
    .option('-m, --mask <file>', 'HEALPix FITS mask, 0 masked … 1 observed (default: the UNSEEN pixels of the input)')
    .addOption(new Option('--method <name>', 'inpainting method').choices(['network', 'wiener', 'diffusion', 'mean']).default('network'))
    .option('--model <file>', 'trained network (runs/<name>/model.safetensors), for --method network')
    .option('--spectrum <file>', 'Planck/CAMB spectrum file for --method wiener (default: the analytic spectrum)')
    .option('--fwhm-arcmin <x>', 'beam FWHM of the map for --method wiener', parseNumber, 0)
    .option('--noise <uK>', 'noise σ per pixel assumed by --method wiener', parseNumber, 1)
    .option('--field <n>', 'column of the input map', parseInteger, 0)
    .option('--overwrite', 'replace an existing output file')
    .option('--json', 'print the result as one JSON document on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  cmb-inpaint inpaint --model runs/demo/model.safetensors -i runs/demo/data/test-000-observed.fits --output filled.fits\n' +
        '  cmb-inpaint inpaint --method wiener --fwhm-arcmin 180 -i map.fits -m mask.fits --output wf.fits --json',
    )
    .action(async (opts) => run(opts, io, async () => (await import('./commands/inpaint.js')).inpaint(opts, io), 'inpaint'));

  return program;
}
