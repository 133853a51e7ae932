// What each <vae-playground view="..."> shows: which of the page's sections (app/sections.ts),
// in a grid that lays them out by the widget's own width (widget.css).
import { ownDataSection } from '../app/sections-own';
import {
  allSections,
  drawSection,
  estimatorSection,
  interpolationSection,
  manifoldSection,
  posteriorSection,
  samplesSection,
  trainSection,
  traversalSection,
} from '../app/sections';
import type { SectionName } from '../pure/hash';
import type { View as PublicView } from './types';

export const VIEWS = ['full', 'draw', 'posterior', 'estimators', 'traverse', 'interpolate', 'samples', 'manifold', 'train'] as const satisfies readonly ('full' | SectionName)[];
export type View = (typeof VIEWS)[number];
// types.ts spells the list again for the shipped declarations, which import nothing; the
// compiler holds the two equal (a view added here and not there, or there and not here,
// fails the build).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const PUBLIC_VIEWS_AGREE: Same<View, PublicView> = true;
void PUBLIC_VIEWS_AGREE;

/** An unknown or missing view is the whole playground (and the element says so). */
export function parseView(v: string | null): { view: View; known: boolean } {
  const view = VIEWS.find((name) => name === v?.trim().toLowerCase());
  return { view: view ?? 'full', known: v === null || view !== undefined };
}

const MARKUP: Record<View, () => string> = {
  full: allSections,
  draw: () => drawSection(),
  // The map follows the drawing and its Refine button: the full draw panel comes with it.
  posterior: () => drawSection() + posteriorSection(),
  estimators: () => drawSection() + estimatorSection(),
  // A traversal and an interpolation start from a drawing: a compact pad comes with them.
  traverse: () => drawSection({ compact: true }) + traversalSection(),
  interpolate: () => drawSection({ compact: true }) + interpolationSection(),
  samples: samplesSection,
  manifold: manifoldSection,
  // Something to watch while it trains: the prior samples, and the manifold when latent = 2.
  // The personal set's panel (upload, count, export) shows while the data set is it.
  train: () => trainSection() + ownDataSection({ collect: false }) + samplesSection() + manifoldSection(),
};

export function viewMarkup(view: View): string {
  return `<div class="grid view-${view}">${MARKUP[view]()}</div>`;
}
