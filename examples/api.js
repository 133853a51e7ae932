// The tutorial's script (examples/api.html): written only against <vae-playground>'s API
// (docs/widget.md). Numbers are printed with 6 decimals: enough to compare with the CLI.
const $ = (id) => document.getElementById(id);
const fmt = (v) => `[${Array.from(v, (x) => x.toFixed(6)).join(', ')}]`;

function paint(canvas, pixels) {
  const img = canvas.getContext('2d').createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const g = Math.round(255 * (1 - pixels[i])); // ink dark on white, as the widget draws
    img.data.set([g, g, g, 255], 4 * i);
  }
  canvas.getContext('2d').putImageData(img, 0, 0);
}

/** MNIST's first test image as intensities in [0, 1] (the idx file shipped with the widget). */
async function firstTestDigit() {
  const res = await fetch(new URL('../dist/data/mnist/t10k-images-idx3-ubyte.gz', import.meta.url));
  const bytes = new Uint8Array(await new Response(res.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
  return Float32Array.from(bytes.subarray(16, 16 + 784), (b) => b / 255); // 16-byte idx header
}

await customElements.whenDefined('vae-playground');
const [pad, two, trainer] = [$('pad'), $('two'), $('trainer')];

// 1. reconstruct() on a digit given as 784 numbers.
const model = await pad.ready;
const elbo = model.metrics.testElbo === null ? 'unknown' : `${model.metrics.testElbo.toFixed(1)} nats`;
$('model-line').textContent = `Model: ${model.origin}, ${[model.architecture.input_dim, ...model.architecture.hidden, model.architecture.latent].join('-')}, test ELBO ${elbo}.`;
const x = await firstTestDigit();
const { mean, sigma, reconstruction } = await pad.reconstruct(x);
paint($('digit'), x);
paint($('recon'), reconstruction);
$('mean').textContent = fmt(mean);
$('sigma').textContent = fmt(sigma);

// 2. The drawing in one widget, encoded by another widget's model.
await two.ready;
await two.load('mnist-2d');
pad.addEventListener('drawing', async (e) => {
  const q = await two.encode(e.detail.pixels);
  $('pad-mean').textContent = fmt(q.mean);
  $('pad-sigma').textContent = fmt(q.sigma);
});

// 3. Training from the page's own buttons, progress from the event.
await trainer.ready;
$('train').addEventListener('click', () => trainer.train());
$('pause').addEventListener('click', () => trainer.pause());
trainer.addEventListener('progress', (e) => {
  const p = e.detail;
  const test = p.testElbo === null ? '' : `, test ELBO ${p.testElbo.toFixed(1)}`;
  $('progress').textContent = `step ${p.step}, epoch ${p.epoch.toFixed(2)}, bound ${p.bound.toFixed(1)} nats${test}, ${Math.round(p.samplesPerSec)} images/s`;
});
