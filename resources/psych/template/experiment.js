// RepAlign Workbench psychophysics experiment: 2-AFC in the design of Borowski et al. (2021) /
// Zimmermann et al. (2021), written by `repalign-cli psych export`. The trials are in trials.js
// (window.PSYCH_EXPERIMENT). The per-participant order and sides come from the same PRNG as the
// C++ participantSchedule (core/psych/psych.cpp): FNV-1a 32 of "<seed>:<participant id>" seeds
// mulberry32; Fisher-Yates over the non-practice trials, then one draw per trial for the side.
(function () {
  'use strict';
  const EXP = window.PSYCH_EXPERIMENT;
  const LEFT_KEY = 'f';
  const RIGHT_KEY = 'j';
  const CONFIDENCE_KEYS = ['1', '2', '3'];

  function fnv1a32(text) {
    const bytes = new TextEncoder().encode(text);
    let h = 0x811c9dc5;
    for (const b of bytes) {
      h = (h ^ b) >>> 0;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }

  function mulberry32(seed) {
    let a = seed >>> 0;
    return function () {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), 1 | t) >>> 0;
      t = (((t + Math.imul(t ^ (t >>> 7), 61 | t)) >>> 0) ^ t) >>> 0;
      return (t ^ (t >>> 14)) >>> 0;
    };
  }

  function schedule(participantId) {
    const practice = [];
    const rest = [];
    EXP.trials.forEach(function (t, i) {
      (t.practice ? practice : rest).push(i);
    });
    const next = mulberry32(fnv1a32(EXP.seed + ':' + participantId));
    const below = function (n) {
      return Math.floor((next() * n) / 4294967296);
    };
    for (let i = rest.length; i > 1; --i) {
      const j = below(i);
      const tmp = rest[i - 1];
      rest[i - 1] = rest[j];
      rest[j] = tmp;
    }
    return practice.concat(rest).map(function (t) {
      return { trial: t, correctOnLeft: below(2) === 0 };
    });
  }
  window.psychSchedule = schedule;

  function urlParameter(names) {
    const params = new URLSearchParams(window.location.search);
    for (const n of names) {
      const v = params.get(n);
      if (v) return v;
    }
    return '';
  }

  function validId(id) {
    return /^[A-Za-z0-9_.@:+-]{1,128}$/.test(id);
  }

  function images(files) {
    return files
      .map(function (f) {
        return '<img src="' + f + '" alt="">';
      })
      .join('');
  }

  function trialHtml(t, correctOnLeft) {
    const left = correctOnLeft ? t.qmax : t.qmin;
    const right = correctOnLeft ? t.qmin : t.qmax;
    return (
      '<div class="psych-trial">' +
      '<div class="psych-panel psych-min"><div class="psych-label">Weakly activating</div><div class="psych-grid">' +
      images(t.min) +
      '</div></div>' +
      '<div class="psych-panel"><div class="psych-queries">' +
      '<div class="psych-query"><img src="' + left + '" alt=""><div class="psych-key">F</div></div>' +
      '<div class="psych-query"><img src="' + right + '" alt=""><div class="psych-key">J</div></div>' +
      '</div><p class="psych-prompt">Which image belongs with the <b>strongly activating</b> images?<br>' +
      'F = left, J = right</p></div>' +
      '<div class="psych-panel psych-max"><div class="psych-label">Strongly activating</div><div class="psych-grid">' +
      images(t.max) +
      '</div></div></div>'
    );
  }

  function start(participantId, source) {
    const plan = schedule(participantId);
    let finished = false;
    const jsPsych = initJsPsych({
      on_finish: function () {
        finished = true;
        const data = jsPsych.data.get();
        const csv = data.csv();
        window.psychDataCsv = csv;
        window.psychDataJson = data.json();
        if (source === 'jatos') {
          jatos.submitResultData(data.json()).then(function () {
            jatos.endStudy(true, 'completed');
          });
          return;
        }
        const pre = document.createElement('pre');
        pre.id = 'psych-data';
        pre.textContent = csv;
        const el = jsPsych.getDisplayElement();
        el.innerHTML =
          '<p>Thank you! The experiment is finished.</p><p>Your responses were saved as <b>psych_' +
          participantId + '.csv</b> in the download folder.</p><p><button id="psych-save">Save again</button></p>';
        el.appendChild(pre);
        document.getElementById('psych-save').onclick = function () {
          data.localSave('csv', 'psych_' + participantId + '.csv');
        };
        try {
          data.localSave('csv', 'psych_' + participantId + '.csv');
        } catch (e) {
          console.error(e);
        }
        window.psychFinished = true;
      },
    });
    window.psychJsPsych = jsPsych;
    jsPsych.data.addProperties({ participant: participantId, source: source });
    window.addEventListener('beforeunload', function (e) {
      if (!finished) e.preventDefault();
    });

    const allImages = [];
    EXP.trials.forEach(function (t) {
      allImages.push.apply(allImages, t.max.concat(t.min, [t.qmax, t.qmin]));
    });
    const timeline = [];
    timeline.push({ type: jsPsychPreload, images: Array.from(new Set(allImages)) });
    timeline.push({
      type: jsPsychInstructions,
      pages: [
        '<h2>' + EXP.title + '</h2><p>On each screen you see images that one unit of a neural network responds to ' +
          '<b>strongly</b> (right, orange) and <b>weakly</b> (left, blue).</p>' +
          '<p>In the middle are two new images. Decide which of the two belongs with the <b>strongly activating</b> images: ' +
          'press <b>F</b> for the left one or <b>J</b> for the right one.</p>',
        '<p>After each choice, say how confident you are: <b>1</b> = guessing, <b>2</b> = fairly sure, <b>3</b> = sure.</p>' +
          '<p>There is no time limit, but please answer at a steady pace. Some screens are very easy: please answer them carefully too.</p>' +
          '<p>First come ' + EXP.practiceCount + ' practice trials with feedback.</p>',
      ],
      show_clickable_nav: true,
      key_forward: 'ArrowRight',
      key_backward: 'ArrowLeft',
      data: { task: 'psych_instructions' },
    });

    let practiceDone = false;
    plan.forEach(function (p, position) {
      const t = EXP.trials[p.trial];
      if (!t.practice && !practiceDone) {
        practiceDone = true;
        timeline.push({
          type: jsPsychHtmlKeyboardResponse,
          stimulus: '<p>The practice is over. The main part has ' + (plan.length - position) +
            ' trials and no feedback.</p><p>Press the space bar to begin.</p>',
          choices: [' '],
          data: { task: 'psych_break' },
        });
      }
      let choice = null;
      timeline.push({
        type: jsPsychHtmlKeyboardResponse,
        stimulus: trialHtml(t, p.correctOnLeft),
        choices: [LEFT_KEY, RIGHT_KEY],
        data: { task: 'psych_choice', trial_id: t.id, position: position },
        on_finish: function (data) {
          const choseLeft = jsPsych.pluginAPI.compareKeys(data.response, LEFT_KEY);
          choice = { choseLeft: choseLeft, rt: data.rt, correct: choseLeft === p.correctOnLeft };
        },
      });
      timeline.push({
        type: jsPsychHtmlKeyboardResponse,
        stimulus: '<p>How confident are you?</p><p><b>1</b> = guessing &nbsp; <b>2</b> = fairly sure &nbsp; <b>3</b> = sure</p>',
        choices: CONFIDENCE_KEYS,
        data: { task: 'psych_response' },
        on_finish: function (data) {
          data.confidence_rt = data.rt;
          data.confidence = Number(data.response);
          data.trial_id = t.id;
          data.position = position;
          data.correct_side = p.correctOnLeft ? 'left' : 'right';
          data.response = choice.choseLeft ? 'left' : 'right';
          data.correct = choice.correct ? 1 : 0;
          data.rt = choice.rt;
          data.practice = t.practice ? 1 : 0;
        },
      });
      if (t.practice) {
        timeline.push({
          type: jsPsychHtmlKeyboardResponse,
          stimulus: function () {
            return choice && choice.correct
              ? '<p class="psych-feedback-correct">Correct</p>'
              : '<p class="psych-feedback-wrong">Not this time: the other image belongs with the strongly activating ones.</p>';
          },
          choices: 'NO_KEYS',
          trial_duration: 1200,
          data: { task: 'psych_feedback' },
        });
      }
      const breakEvery = EXP.breakEvery || 0;
      if (!t.practice && breakEvery > 0 && (position + 1) % breakEvery === 0 && position + 1 < plan.length) {
        timeline.push({
          type: jsPsychHtmlKeyboardResponse,
          stimulus: '<p>Take a short break.</p><p>Press the space bar to continue.</p>',
          choices: [' '],
          data: { task: 'psych_break' },
        });
      }
    });
    jsPsych.run(timeline);
  }

  function askForId(source) {
    document.body.innerHTML =
      '<div style="margin: 80px auto; max-width: 420px; font-family: sans-serif; text-align: center">' +
      '<p>Participant ID</p><input id="psych-id" type="text" autofocus>' +
      '<p><button id="psych-start">Start</button></p><p id="psych-id-error" style="color:#c53030"></p></div>';
    const go = function () {
      const id = document.getElementById('psych-id').value.trim();
      if (!validId(id)) {
        document.getElementById('psych-id-error').textContent =
          'Use letters, digits and _ - . @ : + only (up to 128 characters).';
        return;
      }
      document.body.innerHTML = '';
      start(id, source);
    };
    document.getElementById('psych-start').onclick = go;
    document.getElementById('psych-id').addEventListener('keydown', function (e) {
      if (e.key === 'Enter') go();
    });
  }

  function begin() {
    if (window.jatos && typeof jatos.onLoad === 'function') {
      jatos.onLoad(function () {
        const q = jatos.urlQueryParameters || {};
        const id = q.participant || q.PROLIFIC_PID || String(jatos.workerId || jatos.studyResultId);
        start(validId(id) ? id : 'jatos-' + jatos.studyResultId, 'jatos');
      });
      return;
    }
    const id = urlParameter(['participant', 'PROLIFIC_PID', 'workerId']);
    if (id && validId(id)) start(id, 'jspsych');
    else askForId('jspsych');
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', begin);
  else begin();
})();
