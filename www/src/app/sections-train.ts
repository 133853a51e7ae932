// The training panel's markup (see sections.ts): controls, live numbers, the chart, the
// settings form and save/load. Kept apart because it is the panel that grows. The form's
// values and its selected defaults come from the settings (pure/settings.ts, built from
// the core's vocabulary); only the labels and the page's picks of numbers live here.
import { CHOICES, DEFAULTS, formatValue, type Key } from '../pure/settings';
import { MAX_WORKERS } from '../shared/team-stats';

type Option = readonly [value: string | number, label?: string];

/** The <option>s of setting `key`, the default selected; without a label the value is shown. */
export function options(key: Key, list: readonly Option[]): string {
  const chosen = formatValue(DEFAULTS[key]);
  return list
    .map(([v, label]) => {
      const value = String(v);
      const selected = value === chosen ? ' selected' : '';
      return label === undefined ? `<option${selected}>${value}</option>` : `<option value="${value}"${selected}>${label}</option>`;
    })
    .join('');
}

/** The options of a named choice: every name the page offers (CHOICES), labelled, in the
 * labels' order (a name without a label shows as itself, last). */
function named(key: keyof typeof CHOICES, labels: Record<string, string>): string {
  const offered: readonly string[] = CHOICES[key];
  const order = [...Object.keys(labels).filter((v) => offered.includes(v)), ...offered.filter((v) => !(v in labels))];
  return options(
    key,
    order.map((v) => [v, labels[v] ?? v]),
  );
}

export function trainSection(): string {
  return `<section class="panel train" data-view="train" aria-labelledby="train-title">
      <h2 id="train-title">Train</h2>
      <p class="explain">Training maximises the <strong>ELBO</strong> (evidence lower bound), log p(x) ≥ E<sub>q</sub>[log p(x|z)] − KL(q(z|x) ‖ p(z)):
        how well the decoder redraws x from codes the encoder proposes, minus how far those codes stray from the prior N(0, I).
        It is measured in nats per image, and higher is better (with binary pixels it is negative: the closer to 0, the better). Each step uses a minibatch of images (Algorithm 1 of the paper).</p>
      <div class="buttons">
        <button type="button" class="primary" data-testid="train-toggle" id="train-toggle" aria-pressed="false">Start training</button>
        <button type="button" data-testid="train-scratch" id="train-scratch">Train from scratch</button>
        <span id="train-state" class="state">Not training</span>
      </div>
      <p class="small" id="train-status" aria-live="polite"></p>
      <div class="resume-offer" id="resume-offer" data-testid="resume-offer" role="region" aria-label="Saved training run" hidden>
        <p id="resume-text"></p>
        <button type="button" class="primary" data-testid="resume-saved" id="resume-saved">Resume</button>
        <button type="button" data-testid="discard-saved" id="discard-saved">Discard saved run</button>
      </div>
      <dl class="stats">
        <div><dt>Epoch</dt><dd data-testid="epoch-value" id="epoch-value">—</dd></div>
        <div><dt>Step</dt><dd data-testid="step-value" id="step-value">—</dd></div>
        <div><dt>Test ELBO</dt><dd data-testid="elbo-value" id="elbo-value">—</dd></div>
        <div><dt>Train bound</dt><dd data-testid="bound-value" id="bound-value">—</dd></div>
        <div><dt>Images per second</dt><dd id="speed-value">—</dd></div>
        <div><dt>Epoch ends in</dt><dd id="eta-value">—</dd></div>
        <div><dt>Workers</dt><dd data-testid="workers-value" id="workers-value">—</dd></div>
      </dl>
      <p class="small" id="train-path" data-testid="train-path"></p>
      <p class="small" id="worker-choice" data-testid="worker-choice" aria-live="polite"></p>
      <p class="small" id="worker-stats" data-testid="worker-stats" aria-live="off"></p>
      <p class="small notice" id="worker-notice" data-testid="worker-notice" role="status"></p>
      <p class="small notice" id="recovery-notice" data-testid="recovery-notice" role="status"></p>
      <p class="small" id="saved-status" data-testid="saved-status"></p>
      <progress id="epoch-progress" max="1" value="0" aria-label="Progress through the current epoch"></progress>
      <div id="chart" class="chart" role="img" aria-label="Training bound and test ELBO against the step"><p id="chart-empty" class="chart-empty">The learning curves appear here once training starts.</p></div>
      <p class="small"><label><input type="checkbox" id="chart-terms" data-testid="chart-terms"> Show the test ELBO's two terms:
        the expected reconstruction log-likelihood E<sub>q</sub>[log p(x|z)] and KL(q(z|x) ‖ p(z)) (right axis)</label></p>
      <p class="small" id="elbo-terms" data-testid="elbo-terms" aria-live="off"></p>
      <p class="explain small"><span id="test-note" data-testid="test-note">Test ELBO: on the first 1000 test images</span>, after every epoch and every few seconds. The training bound
        is noisier: each point averages a few minibatches, each with fresh random binarization and noise.</p>

      <form class="settings" id="settings">
        <fieldset>
          <legend>Training (applies when training starts or resumes)</legend>
          <label>Data set <select id="opt-dataset" data-testid="dataset">${named('dataset', { mnist: 'MNIST', 'fashion-mnist': 'Fashion-MNIST', own: 'Your data set', 'own-mnist': 'Your data set mixed into MNIST' })}</select></label>
          <label title="Share of the training set that is your data set, when mixed into MNIST (its images are repeated to reach it)">Your share <select id="opt-mix" data-testid="opt-mix">
            ${options('mix', [[10, '10%'], [25, '25%'], [50, '50%']])}</select></label>
          <label title="Share of your data set held out for the test ELBO (at least one image)">Held out <select id="opt-holdout" data-testid="opt-holdout">
            ${options('holdout', [[5, '5%'], [10, '10%'], [20, '20%'], [30, '30%']])}</select></label>
          <label>Optimizer <select id="opt-optimizer">${named('optimizer', { adam: 'Adam', adagrad: 'Adagrad (paper)' })}</select></label>
          <label>Learning rate <select id="opt-lr">
            ${options('lr', [...['0.0001', '0.0003', '0.001', '0.003', '0.01', '0.03', '0.1'].map((v) => [v, v] as const), ['0.3', '0.3 (unstable)'], ['1', '1 (unstable)']])}
          </select></label>
          <label>Batch size <select id="opt-batch">${options('batch', [[20], [50], [100], [200], [500]])}</select></label>
          <label>Estimator <select id="opt-estimator">
            ${named('estimator', { a: 'SGVB A (eq. 6)', b: 'SGVB B (eq. 7)', iwae: 'IWAE bound' })}
          </select></label>
          <label>Binarization <select id="opt-binarization" title="Bernoulli decoder only; a Gaussian decoder sees grey pixels">
            ${named('binarization', { dynamic: 'dynamic (fresh each visit)', fixed: 'fixed (one draw per image)' })}
          </select></label>
          <label>Samples L <select id="opt-samples">${options('samples', [[1], [2], [5], [10]])}</select></label>
          <label>Workers K <select id="opt-workers" data-testid="opt-workers"
            title="Web Workers sharing each minibatch (data-parallel); changes apply at once">
            ${options('workers', [['auto', 'Auto (fastest here)'], ...[1, 2, 3, 4, 6, 8, 12, 16].filter((k) => k <= MAX_WORKERS).map((k) => [k] as const)])}
          </select></label>
        </fieldset>
        <fieldset>
          <legend>Architecture (applies to "Train from scratch")</legend>
          <label>Latent dimensions <select id="opt-latent">${options('latent', [[2], [5], [10], [20], [50]])}</select></label>
          <label>Hidden units <select id="opt-hidden">${options('hidden', [[100], [200], [400], [500], [800]])}</select></label>
          <label>Activation <select id="opt-activation">${named('activation', { relu: 'ReLU', tanh: 'tanh (paper)' })}</select></label>
          <label>Second stochastic layer z2 <select id="opt-latent2" title="Rezende et al.'s deep latent Gaussian model: p(z2) p(z1|z2) p(x|z1)">
            ${options('latent2', [[0, 'none (one layer)'], [5], [10], [20]])}
          </select></label>
          <label>q family <select id="opt-family">${named('family', { gaussian: 'Gaussian', laplace: 'Laplace', logistic: 'logistic' })}</select></label>
          <label>Initialisation <select id="opt-init">${named('init', { glorot: 'Glorot', paper: 'paper: N(0, 0.01)' })}</select></label>
          <label>Decoder <select id="opt-decoder">${named('decoder', { bernoulli: 'Bernoulli (binarized pixels)', gaussian: 'Gaussian (grey pixels)' })}</select></label>
        </fieldset>
      </form>
      <p class="explain small">SGVB A estimates the whole bound by sampling; B computes the KL term exactly and has lower variance;
        the IWAE bound averages L importance weights inside the log and is tighter for L &gt; 1. With 2 latent dimensions you can see
        the learned manifold.</p>
      <div class="buttons file">
        <button type="button" data-testid="model-save" id="model-save">Save model (.safetensors)</button>
        <label class="file-label">Load model <input type="file" data-testid="model-upload" id="model-upload" accept=".safetensors,application/octet-stream"></label>
      </div>
    </section>`;
}
