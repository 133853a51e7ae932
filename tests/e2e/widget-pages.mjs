// Host pages for widget.test.mjs, written into a temporary site next to a copy of dist/ (at
// lib/vae/). Like a blogger's pages: no inline scripts (the test server sends a strict CSP),
// styles from a file.
const head = (title, extra = '') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="icon" href="data:,">${extra}
<script type="module" src="lib/vae/vae-playground.js"></script>
</head>`;

// Rules that would wreck the widget if they reached it, and inherited properties that would.
const LEAK_CSS = `body { color: rgb(255, 0, 0); font: 30px/3 monospace; letter-spacing: 2px; }
canvas { border: 10px solid red !important; }
button { color: red !important; background: yellow; }
h2 { color: green; }
.panel { display: none !important; }
`;

const HOST_ELEMENTS = `<h2 id="host-h2">The host's heading</h2>
<p class="explain small" id="host-p">The host's text, with the widget's class names.</p>
<button id="host-button" class="primary" type="button">The host's button</button>
<canvas id="host-canvas" class="digit" width="28" height="28"></canvas>
<div id="host-div" class="grid frame buttons">The host's div</div>`;

export const PAGES = {
  // Two widgets of the copied dist: one trains on its own (autoplay), one draws.
  'copy.html': `${head('copied dist')}<body>
<vae-playground id="trainer" view="train" autoplay batch="50" height="600"></vae-playground>
<vae-playground id="drawer" view="draw"></vae-playground>
</body></html>`,

  'frame.html': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>iframe host</title><link rel="icon" href="data:,"></head>
<body><h1>A page with an iframe</h1>
<iframe src="frames/inner.html" title="A VAE widget" width="900" height="700"></iframe>
</body></html>`,

  'frames/inner.html': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>inner</title>
<link rel="icon" href="data:,"><script type="module" src="../lib/vae/vae-playground.js"></script></head>
<body><vae-playground view="draw"></vae-playground></body></html>`,

  'two.html': `${head('two of each')}<body>
<vae-playground id="d1" view="draw"></vae-playground>
<vae-playground id="d2" view="draw"></vae-playground>
<vae-playground id="t1" view="train" workers="1"></vae-playground>
<vae-playground id="t2" view="train" workers="1"></vae-playground>
</body></html>`,

  // model="...": a checkpoint named by the page (relative to the page), and one that is missing.
  'models.html': `${head('model attribute')}<body>
<vae-playground id="named" view="samples" model="lib/vae/pretrained.safetensors"></vae-playground>
<vae-playground id="missing" view="manifold" model="no/such.safetensors" latent="2"></vae-playground>
<vae-playground id="plain" view="samples"></vae-playground>
</body></html>`,

  'leak.css': LEAK_CSS,
  'leak.html': `${head('CSS isolation', '\n<link rel="stylesheet" href="leak.css">')}<body>
${HOST_ELEMENTS}
<vae-playground id="w" view="draw"></vae-playground>
</body></html>`,
  // The same host page without the widget: the reference for the host's computed styles.
  'leak-ref.html': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CSS reference</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="leak.css"></head><body>
${HOST_ELEMENTS}
</body></html>`,
};
