// Entry point: publishes window.Playground and builds the console on the page's #console.

import { buildConsole, Playground } from './playground.js';

// A module script runs once the document is parsed, so #console is there if the page has one,
// and lesson scripts (module scripts after this one) find the console built.
// Loaded twice from two URLs (two module instances): keep the first, otherwise lesson code
// would see a Playground whose clients are not the ones on screen.
if (!window.Playground) {
  window.Playground = Playground;
  const element = document.getElementById('console');
  if (element) buildConsole(element);
  else console.warn('[playground] no #console element: console not built');
}
