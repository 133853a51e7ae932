// The inference panels' markup (see sections.ts): the estimator lab and the KL bars. Static strings only.

/** The gradient estimators' variance (views/estimator-lab.ts): it needs a draw section beside it. */
export function estimatorSection(): string {
  return `<section class="panel span2" data-view="estimators" aria-labelledby="lab-title">
      <h2 id="lab-title">The estimators' variance</h2>
      <p class="explain">Four unbiased estimates of the same gradient of the ELBO with respect to the encoder's parameters φ, for your
        drawing, from L samples z<sub>l</sub> ~ q(z|x): <strong>SGVB B</strong> (the KL in closed form, eq. 7) and <strong>SGVB A</strong>
        (eq. 6), both through the reparameterization z = μ + σε (§2.4); the <strong>score function</strong> (REINFORCE), which
        weights ∇ log q(z|x) by the bound's value and which §2.2 calls impractical for its variance; and the score function with a
        <strong>baseline</strong> (the other samples' mean) subtracted. Each L is repeated with fresh noise; the plot shows the variance of
        each parameter's gradient over the repetitions, averaged over φ. Their means agree (table below): they estimate the same thing.</p>
      <div class="buttons">
        <button type="button" class="primary" id="lab-measure">Measure</button>
        <label>Repetitions <select id="lab-repetitions"><option>10</option><option selected>20</option><option>50</option><option>100</option></select></label>
        <label>Seed <input id="lab-seed" type="number" min="0" max="4294967295" step="1" value="1"></label>
        <a id="lab-image" download="estimator-lab-image.png" hidden>The image measured (PNG)</a>
      </div>
      <p class="small"><progress id="lab-progress" max="1" value="0" hidden aria-label="Values of L measured"></progress>
        <output id="lab-status" aria-live="polite"></output></p>
      <div data-testid="estimator-variance" id="estimator-variance" class="chart" data-state="empty" role="img"
        aria-label="Gradient variance against the number of samples L, log scales, one line per estimator"></div>
      <p class="small" id="lab-summary"></p>
      <table class="lab" id="estimator-table" data-testid="estimator-table">
        <caption>Variance of ∂ELBO/∂φ, mean over φ's parameters</caption>
        <thead><tr><th scope="col">L</th><th scope="col">SGVB B</th><th scope="col">SGVB A</th><th scope="col">score function</th><th scope="col">score + baseline</th></tr></thead>
        <tbody></tbody>
      </table>
      <table class="lab" id="estimator-means" data-testid="estimator-means">
        <caption>Mean of u · ∂ELBO/∂φ (u: one fixed random unit direction) ± its standard error: every estimator has the same expectation</caption>
        <thead><tr><th scope="col">L</th><th scope="col">SGVB B</th><th scope="col">SGVB A</th><th scope="col">score function</th><th scope="col">score + baseline</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>`;
}

/** KL per latent dimension and the active units (views/kl-bars.ts). */
export function activitySection(): string {
  return `<section class="panel" data-view="activity" aria-labelledby="kl-title">
      <h2 id="kl-title">Which latent dimensions are used</h2>
      <p class="explain">Over the first 1000 test images: the KL term of each dimension, KL(q(z<sub>d</sub>|x) ‖ p(z<sub>d</sub>)) averaged
        over the images (top; it adds up to the ELBO's KL term), and how much the posterior mean moves with the image,
        A<sub>d</sub> = Cov<sub>x</sub>(E<sub>q</sub>[z<sub>d</sub>|x]) (bottom, log scale). A dimension is <em>active</em> when
        A<sub>d</sub> &gt; 0.01, above the red line (Burda, Grosse &amp; Salakhutdinov 2016); an inactive one costs no KL and carries
        nothing about x. It follows training.</p>
      <canvas data-testid="kl-bars" id="kl-bars" class="kl-bars" height="300"
        aria-label="Bars: KL per latent dimension (top) and each dimension's activity on a log scale with the threshold 0.01 (bottom)"></canvas>
      <p data-testid="active-units" id="active-units"></p>
      <p class="small" id="kl-note" aria-live="polite"></p>
      <table class="lab" id="kl-table" data-testid="kl-table">
        <thead><tr><th scope="col">dimension</th><th scope="col">KL (nats)</th><th scope="col">A<sub>d</sub></th><th scope="col"></th></tr></thead>
        <tbody></tbody>
      </table>
    </section>`;
}
