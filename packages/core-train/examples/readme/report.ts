// examples/readme/report.ts
import { Report } from '../../src/report/index.js';

// fit()'s History, TF.js model.fit's History, or readJsonlLog(file) rows all work as `history`.
const history = { epoch: [0, 1, 2, 3], loss: [1.4, 0.8, 0.6, 0.5], 'loss/kd': [0.9, 0.5, 0.35, 0.3], 'val/loss': [1.5, 0.9, 0.7, 0.65] };

const report = new Report({ title: 'My run', outDir: 'runs/readme-report' });
report.metadata({ backend: 'onnx', seed: 0, epochs: 4 });
report.addSection('Training').lossCurves(history, { logY: true }); // one chart: every term and its val/ twin
report
  .addSection('Results', 'Test set, 1000 images.')
  .table([
    { model: 'teacher', params: 70378, accuracy: 0.957 },
    { model: 'student', params: 12602, accuracy: 0.824 },
  ])
  .barChart({ title: 'Accuracy', categories: ['teacher', 'student'], values: [0.957, 0.824] });
const files = await report.write(); // one self-contained HTML file (inline SVG) + a PNG per plot
console.log(files.html, files.plots.length); // runs/readme-report/report.html 2
