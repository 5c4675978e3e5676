// Imported first by extension.ts, so its evaluation marks when the bundle began loading: the
// start of provspec's own share of a cold start (the editor's share comes before it).
export const loadStarted = performance.now();
