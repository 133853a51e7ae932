// The inference panels' markup (see sections.ts): the estimator lab. Static strings only.

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
