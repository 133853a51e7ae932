// The personal data set's markup (see sections.ts): collect drawings, upload files, the
// thumbnails, export. views/own-data.ts drives it. A widget's train view has no drawing pad:
// its copy (collect: false) uploads, exports and deletes, and shows only while the widget's
// data set is the personal one (app/mount.ts).
export function ownDataSection({ collect = true } = {}): string {
  const add = collect
    ? `<label>Label <input type="text" id="own-label" data-testid="own-label" size="8" maxlength="24" placeholder="0–9 or a tag"></label>
        <button type="button" class="primary" data-testid="own-data-add" id="own-data-add">Add the drawing</button>`
    : '';
  const how = collect
    ? `Add your drawings (prepared as in "Draw a digit") or upload images to train on: choose
        <em>Your data set</em> (or mixed into MNIST) as the data set under Train.`
    : `Upload images to train on (drawings are added on the playground page: the set is this site's, in this browser).`;
  return `<section class="panel own-data" data-view="own-data" aria-labelledby="own-title"${collect ? '' : ' data-own-only hidden'}>
      <h2 id="own-title">Your data set</h2>
      <p class="explain">${how} PNG/JPEG files or a folder (a digit folder name is the label),
        a .zip of them, idx files (raw or .gz) or .npy arrays (uint8 or float32, N×28×28 or N×784). Pictures of any size are made
        greyscale and go through the same 20×20-box, centre-of-mass preparation as a drawing.</p>
      <div class="buttons">
        ${add}
        <span data-testid="own-data-count" id="own-data-count" aria-live="polite">0 images</span>
      </div>
      <div class="buttons file">
        <label class="file-label">Upload files <input type="file" data-testid="data-upload" id="data-upload" multiple
          title="PNG or JPEG images, a .zip, idx files (MNIST's have no extension) or .npy: recognised by their content"></label>
        <label class="file-label">Upload a folder <input type="file" data-testid="data-upload-folder" id="data-upload-folder" webkitdirectory multiple></label>
        <label><input type="checkbox" id="own-keep28" data-testid="own-keep28"> Keep 28×28 images as they are</label>
      </div>
      <progress id="own-data-progress" data-testid="own-data-progress" max="1" value="0" hidden aria-label="Upload progress"></progress>
      <p class="small notice" id="own-data-message" data-testid="own-data-message" role="status"></p>
      <div class="own-thumbs" id="own-data-thumbs" data-testid="own-data-thumbs" aria-label="Your images"></div>
      <div class="buttons">
        <button type="button" data-testid="own-data-export" id="own-data-export">Export (idx .gz, for vae train --data)</button>
        <button type="button" data-testid="own-data-clear" id="own-data-clear">Delete all</button>
      </div>
    </section>`;
}
