// Runs an exported jsPsych experiment in headless Chromium as one participant would, for
// tests/test_psych_browser.cpp: node drive_experiment.js INDEX_HTML PARTICIPANT OUT_CSV
// (NODE_PATH must reach playwright-core; CHROMIUM names the browser binary).
// Answers: on a catch trial (a query is one of the strongly activating images) that query;
// otherwise F (left) at even and J (right) at odd positions; confidence (position % 3) + 1.
'use strict';
const fs = require('fs');
const { chromium } = require('playwright-core');

async function main() {
  const [index, participant, out] = process.argv.slice(2);
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--allow-file-access-from-files', '--disable-gpu'],
    });
  } catch (e) {
    console.error('drive_experiment: cannot start Chromium: ' + String(e && e.message ? e.message : e).split('\n')[0]);
    process.exit(3);
  }
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto('file://' + index + '?participant=' + encodeURIComponent(participant));
    let position = 0;
    let last = '';
    const deadline = Date.now() + 120000;
    for (;;) {
      if (Date.now() > deadline) throw new Error('the experiment did not finish within 120 s; screen: ' + last.slice(0, 300));
      if (errors.length) throw new Error('page error: ' + errors.join('; '));
      const state = await page.evaluate(() => {
        const el = document.querySelector('#jspsych-content') || document.body;
        const trial = document.querySelector('.psych-trial');
        let catchSide = '';
        if (trial) {
          const max = Array.from(document.querySelectorAll('.psych-max img')).map((i) => i.getAttribute('src'));
          const q = Array.from(document.querySelectorAll('.psych-query img')).map((i) => i.getAttribute('src'));
          if (max.includes(q[0])) catchSide = 'left';
          else if (max.includes(q[1])) catchSide = 'right';
        }
        return {
          finished: !!window.psychFinished,
          html: el.innerHTML,
          trial: !!trial,
          catchSide: catchSide,
          confidence: el.innerHTML.includes('How confident'),
          instructions: !!document.querySelector('#jspsych-instructions-next'),
          space: el.innerHTML.includes('Press the space bar'),
        };
      });
      if (state.finished) break;
      if (state.html === last || state.html === '') {
        await page.waitForTimeout(20);
        continue;
      }
      if (state.trial) {
        const left = state.catchSide ? state.catchSide === 'left' : position % 2 === 0;
        await page.keyboard.press(left ? 'f' : 'j');
      } else if (state.confidence) {
        await page.keyboard.press(String((position % 3) + 1));
        ++position;
      } else if (state.instructions) {
        await page.keyboard.press('ArrowRight');
      } else if (state.space) {
        await page.keyboard.press(' ');
      } else {
        await page.waitForTimeout(20); // feedback or preload: wait for the next screen
        continue;
      }
      last = state.html;
    }
    const csv = await page.evaluate(() => document.getElementById('psych-data').textContent);
    fs.writeFileSync(out, csv);
    console.log('answered ' + position + ' trials');
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error('drive_experiment: ' + (e && e.message ? e.message : e));
  process.exit(2);
});
