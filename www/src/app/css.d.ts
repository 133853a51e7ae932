declare module '*.css' {
  /** The stylesheet's text (esbuild's text loader; only the widget bundle uses it). */
  const css: string;
  export default css;
}
