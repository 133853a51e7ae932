// The training panel's markup (see sections.ts): controls, live numbers, the chart, the
// settings form and save/load. Kept apart because it is the panel that grows.
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
          <label>Data set <select id="opt-dataset" data-testid="dataset"><option value="mnist" selected>MNIST</option><option value="fashion-mnist">Fashion-MNIST</option>
            <option value="own">Your data set</option><option value="own-mnist">Your data set mixed into MNIST</option></select></label>
          <label title="Share of the training set that is your data set, when mixed into MNIST (its images are repeated to reach it)">Your share <select id="opt-mix" data-testid="opt-mix">
            <option value="10">10%</option><option value="25" selected>25%</option><option value="50">50%</option></select></label>
          <label title="Share of your data set held out for the test ELBO (at least one image)">Held out <select id="opt-holdout" data-testid="opt-holdout">
            <option value="5">5%</option><option value="10" selected>10%</option><option value="20">20%</option><option value="30">30%</option></select></label>
          <label>Optimizer <select id="opt-optimizer"><option value="adam" selected>Adam</option><option value="adagrad">Adagrad (paper)</option></select></label>
          <label>Learning rate <select id="opt-lr">
            <option value="0.0001">0.0001</option><option value="0.0003">0.0003</option><option value="0.001" selected>0.001</option>
            <option value="0.003">0.003</option><option value="0.01">0.01</option><option value="0.03">0.03</option><option value="0.1">0.1</option>
            <option value="0.3">0.3 (unstable)</option><option value="1">1 (unstable)</option>
          </select></label>
          <label>Batch size <select id="opt-batch"><option>20</option><option>50</option><option selected>100</option><option>200</option><option>500</option></select></label>
          <label>Estimator <select id="opt-estimator">
            <option value="a">SGVB A (eq. 6)</option><option value="b" selected>SGVB B (eq. 7)</option><option value="iwae">IWAE bound</option>
          </select></label>
          <label>Binarization <select id="opt-binarization" title="Bernoulli decoder only; a Gaussian decoder sees grey pixels">
            <option value="dynamic" selected>dynamic (fresh each visit)</option><option value="fixed">fixed (one draw per image)</option>
          </select></label>
          <label>Samples L <select id="opt-samples"><option selected>1</option><option>2</option><option>5</option><option>10</option></select></label>
          <label>Workers K <select id="opt-workers" data-testid="opt-workers"
            title="Web Workers sharing each minibatch (data-parallel); changes apply at once">
            <option value="auto" selected>Auto (fastest here)</option><option>1</option><option>2</option><option>3</option>
            <option>4</option><option>6</option><option>8</option><option>12</option><option>16</option>
          </select></label>
        </fieldset>
        <fieldset>
          <legend>Architecture (applies to "Train from scratch")</legend>
          <label>Latent dimensions <select id="opt-latent"><option>2</option><option>5</option><option>10</option><option selected>20</option><option>50</option></select></label>
          <label>Hidden units <select id="opt-hidden"><option>100</option><option>200</option><option selected>400</option><option>500</option><option>800</option></select></label>
          <label>Activation <select id="opt-activation"><option value="relu" selected>ReLU</option><option value="tanh">tanh (paper)</option></select></label>
          <label>Second stochastic layer z2 <select id="opt-latent2" title="Rezende et al.'s deep latent Gaussian model: p(z2) p(z1|z2) p(x|z1)">
            <option value="0" selected>none (one layer)</option><option>5</option><option>10</option><option>20</option>
          </select></label>
          <label>q family <select id="opt-family"><option value="gaussian" selected>Gaussian</option><option value="laplace">Laplace</option><option value="logistic">logistic</option></select></label>
          <label>Initialisation <select id="opt-init"><option value="glorot" selected>Glorot</option><option value="paper">paper: N(0, 0.01)</option></select></label>
          <label>Decoder <select id="opt-decoder"><option value="bernoulli" selected>Bernoulli (binarized pixels)</option><option value="gaussian">Gaussian (grey pixels)</option></select></label>
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
