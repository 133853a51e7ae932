// The panels' markup, shared by the page (main.ts puts it into index.html's <main>) and the
// <vae-playground> widget (which puts the pieces its view needs into its shadow root). One
// copy, so ids, data-testids and labels cannot drift apart. Static strings only: nothing
// from a URL or an attribute is ever interpolated into them.
import { RANGE_NATS } from '../pure/heatmap';
import { activitySection, estimatorSection } from './sections-inference';
import { trainSection } from './sections-train';
import { ownDataSection } from './sections-own';

export { activitySection, estimatorSection, trainSection };

/** Which section a piece of the page is (the names are pure/hash.ts's VIEWS). */
export type { SectionName } from '../pure/hash';

export function errorBanner(): string {
  return `<div class="error" data-testid="error" role="alert" hidden>
    <p id="error-text"></p>
    <button type="button" id="error-close" aria-label="Dismiss the message">×</button>
  </div>`;
}

/** The drawing pad and reconstruction. compact: without the posterior bars and refinement
 * (a widget that only needs a drawing to start from, next to a traversal say). */
export function drawSection({ compact = false } = {}): string {
  const pad = `<div class="draw-row">
        <div class="draw-area">
          <canvas data-testid="draw-canvas" id="draw-canvas" width="280" height="280" tabindex="0"
            aria-label="Drawing area: draw a digit with the mouse, a finger or a pen. Delete clears it."></canvas>
          <p id="draw-hint" class="hint" hidden>Draw a digit here</p>
          <div class="buttons">
            <button type="button" id="clear-button">Clear</button>
            <button type="button" id="example-button">Example</button>
          </div>
        </div>
        <div class="outputs">
          <figure>
            <canvas id="input-view" class="digit" width="28" height="28" aria-label="Your drawing as the model sees it, 28 by 28 pixels"></canvas>
            <figcaption>What the model sees</figcaption>
          </figure>
          <figure>
            <canvas data-testid="reconstruction" id="reconstruction" class="digit" width="28" height="28" aria-label="The model's reconstruction of your drawing"></canvas>
            <figcaption>Reconstruction</figcaption>
          </figure>
          <figure id="refined-figure" hidden>
            <canvas id="refined" class="digit" width="28" height="28" aria-label="Reconstruction after refining q for this drawing"></canvas>
            <figcaption>Refined</figcaption>
          </figure>
        </div>
      </div>`;
  if (compact) {
    return `<section class="panel draw compact" data-view="draw" aria-labelledby="draw-title">
      <h2 id="draw-title">Draw a digit</h2>
      ${pad}
    </section>`;
  }
  return `<section class="panel draw" data-view="draw" aria-labelledby="draw-title">
      <h2 id="draw-title">Draw a digit</h2>
      <p class="explain">Draw in the black square. Your drawing is cropped, scaled into a 20×20 box and centred by its centre of mass,
        as MNIST's digits were; the encoder maps it to a code z and the decoder draws the code back.</p>
      ${pad}
      <h3>The code: q(z|x)</h3>
      <canvas data-testid="posterior" id="posterior" class="bars" aria-label="Posterior mean (blue bar) and plus or minus one standard deviation (orange band) for each latent dimension"></canvas>
      <p class="explain small" id="posterior-note"></p>
      <p class="explain small">Blue: the posterior mean μ of each dimension of z; orange band: ±σ. The scale runs from −3 to +3.</p>
      <div class="buttons">
        <button type="button" id="refine-button">Refine</button>
        <output id="refine-result" aria-live="polite"></output>
      </div>
      <p class="explain small">The encoder is <em>amortized</em>: one network answers for every image, so its q(z|x) is not the best
        possible for your drawing. <strong>Refine</strong> runs 200 steps of gradient ascent on this one drawing's q;
        the ELBO it gains is the <em>amortization gap</em>.</p>
    </section>`;
}

/** The true posterior of the drawing (views/posterior.ts): it needs a full draw section
 * (with Refine) beside it. */
export function posteriorSection(): string {
  return `<section class="panel span2 posterior-panel" data-view="posterior" aria-labelledby="posterior-title">
      <h2 id="posterior-title">The true posterior p(z|x)</h2>
      <p class="explain">The encoder only approximates the posterior. Here is the real one for your drawing, up to its constant:
        log p(x, z) = log p(x|z) + log p(z) on a 64 × 64 grid over z, placed around the posterior's mass. Integrating it over the grid
        gives log p(x), and log p(x) − ELBO is exactly how far q(z|x) is from p(z|x) in KL.</p>
      <div class="posterior-row">
        <figure>
          <canvas data-testid="posterior-map" id="posterior-map" class="posterior-map" width="440" height="440"
            aria-label="Heat map of log p(x, z) over two latent dimensions, with the encoder's q and the refined q as ellipses"></canvas>
          <figcaption class="small">Colour: log p(x, z) on a log scale, from ${RANGE_NATS} nats below the grid's maximum (dark) to the
            maximum (yellow); lower is darkest. White: the encoder's q(z|x), 1σ (solid) and 2σ (dashed). Pink: the refined q.
            Red cross: the grid's maximum, the posterior's mode.</figcaption>
        </figure>
        <div class="posterior-numbers">
          <p data-testid="posterior-logpx" id="posterior-logpx"></p>
          <p data-testid="posterior-elbo" id="posterior-elbo"></p>
          <p data-testid="posterior-gap" id="posterior-gap"><strong id="posterior-gap-encoder"></strong>
            <span data-testid="posterior-gap-refined" id="posterior-gap-refined"></span></p>
          <p class="explain small" id="posterior-map-note" aria-live="polite"></p>
          <p data-testid="posterior-own" id="posterior-own" aria-live="polite"></p>
        </div>
      </div>
    </section>`;
}

export function traversalSection(): string {
  return `<section class="panel" data-view="traverse" aria-labelledby="traversal-title">
      <h2 id="traversal-title">Latent traversal</h2>
      <p class="explain">One coordinate of z at a time sweeps from 3 below to 3 above your drawing's code (3 prior standard deviations),
        the others held still. The strip shows the steps −3 … +3; the marker follows the animation. Dimensions that change nothing
        are ones the model switched off: their KL cost was not worth paying.</p>
      <canvas data-testid="traversal" id="traversal" class="wide pixelated" aria-label="Animated latent traversal"></canvas>
      <p id="traversal-label" class="small"></p>
      <div class="buttons">
        <button type="button" id="traversal-prev" aria-label="Previous dimension">◀ Dim</button>
        <button type="button" id="traversal-play" aria-pressed="true">Pause animation</button>
        <button type="button" id="traversal-next" aria-label="Next dimension">Dim ▶</button>
      </div>
    </section>`;
}

export function imputeSection(): string {
  return `<section class="panel" data-view="impute" aria-labelledby="impute-title">
      <h2 id="impute-title">Erase and impute</h2>
      <p class="explain">Rub out part of your digit on the left. The model fills the erased pixels in by encoding and decoding
        repeatedly while the pixels you kept stay fixed.</p>
      <div class="outputs">
        <figure>
          <canvas id="impute-canvas" class="digit eraser" width="28" height="28" aria-label="Your digit: drag over it to erase pixels"></canvas>
          <figcaption>Erase here</figcaption>
        </figure>
        <figure>
          <canvas data-testid="imputed" id="imputed" class="digit" width="28" height="28" aria-label="The digit with erased pixels filled in by the model"></canvas>
          <figcaption>Filled in</figcaption>
        </figure>
      </div>
      <p id="impute-note" class="small"></p>
      <div class="buttons">
        <button type="button" id="erase-top">Erase top half</button>
        <button type="button" id="erase-bottom">Erase bottom half</button>
        <button type="button" id="erase-left">Erase left half</button>
        <button type="button" id="erase-reset">Restore</button>
      </div>
    </section>`;
}

export function interpolationSection(): string {
  return `<section class="panel span2" data-view="interpolate" aria-labelledby="interp-title">
      <h2 id="interp-title">Interpolation</h2>
      <p class="explain">Ten images decoded along the straight line between two codes. A smooth morph means nearby codes decode to similar images.</p>
      <div class="buttons">
        <label>From <select id="interp-a"><option value="drawing" selected>your drawing</option><option value="test">a test digit</option><option value="prior">a random code</option></select></label>
        <label>to <select id="interp-b"><option value="drawing">your drawing</option><option value="test">a test digit</option><option value="prior" selected>a random code</option></select></label>
        <button type="button" id="interp-shuffle">New random picks</button>
      </div>
      <canvas data-testid="interpolation" id="interpolation" class="wide pixelated" aria-label="Interpolation between two codes"></canvas>
      <p id="latent-status" class="small" aria-live="polite"></p>
    </section>`;
}

export function samplesSection(): string {
  return `<section class="panel" data-view="samples" aria-labelledby="samples-title">
      <h2 id="samples-title">Samples from the prior</h2>
      <p class="explain">Codes drawn from the prior N(0, I), decoded. The same codes are kept while training, so you can watch them turn into digits.</p>
      <canvas data-testid="samples" id="samples" class="square pixelated" aria-label="64 images decoded from random codes"></canvas>
      <div class="buttons"><button type="button" id="samples-resample">Resample</button></div>
    </section>`;
}

export function manifoldSection(): string {
  return `<section class="panel" data-view="manifold" aria-labelledby="manifold-title">
      <h2 id="manifold-title">The learned manifold</h2>
      <canvas data-testid="manifold" id="manifold" class="square pixelated" aria-label="15 by 15 grid of decoded codes covering the 2-D latent space" hidden></canvas>
      <p id="manifold-note" class="explain"></p>
    </section>`;
}

export function scatterSection(): string {
  return `<section class="panel" data-view="scatter" aria-labelledby="scatter-title">
      <h2 id="scatter-title">Test digits in latent space</h2>
      <p class="explain">Where the encoder puts 1000 test images. Digits of a class gather together although the model never saw a label.</p>
      <div class="buttons"><button type="button" id="scatter-button">Encode the test digits</button>
        <label><input type="checkbox" id="scatter-own" data-testid="scatter-own"> Show my digits</label></div>
      <canvas data-testid="scatter" id="scatter" class="scatter" aria-label="Scatter plot of test-image codes coloured by label" hidden></canvas>
      <ul id="scatter-legend" class="legend" aria-label="Colour legend"></ul>
      <p id="scatter-note" class="small"></p>
      <p id="scatter-own-count" data-testid="scatter-own-count" class="small" aria-live="polite"></p>
    </section>`;
}

/** Every panel, in the page's order (the page and the widget's view="full"). */
export function allSections(): string {
  return [
    drawSection(),
    traversalSection(),
    posteriorSection(),
    estimatorSection(),
    trainSection(),
    ownDataSection(),
    activitySection(),
    imputeSection(),
    interpolationSection(),
    samplesSection(),
    manifoldSection(),
    scatterSection(),
  ].join('\n');
}
