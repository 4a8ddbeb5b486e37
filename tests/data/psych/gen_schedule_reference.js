// Schedules the shipped experiment.js computes, for tests/test_psych.cpp's check that the C++
// participantSchedule equals the browser's (run: node gen_schedule_reference.js > schedule_reference.txt).
// Loads resources/psych/template/experiment.js with a minimal window/document so that it only
// defines window.psychSchedule, over a plan of 3 practice and 12 other trials with seed 4242.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const trials = [];
for (let i = 0; i < 15; ++i) trials.push({ id: 'x' + i, practice: i < 3, max: [], min: [], qmax: '', qmin: '' });
const window = { PSYCH_EXPERIMENT: { seed: '4242', trials: trials }, location: { search: '' } };
const document = { readyState: 'loading', addEventListener: function () {} };
const context = { window: window, document: document, TextEncoder: TextEncoder, URLSearchParams: URLSearchParams };
vm.createContext(context);
vm.runInContext(fs.readFileSync(path.join(__dirname, '../../../resources/psych/template/experiment.js'), 'utf8'), context);
for (const id of ['alice', 'bob', 'P-017', 'sim-001', 'Zoë']) {
  const s = window.psychSchedule(id);
  console.log('schedule ' + encodeURIComponent(id) + ' ' + s.map((p) => p.trial + (p.correctOnLeft ? 'L' : 'R')).join(' '));
}
