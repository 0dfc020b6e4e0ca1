// run.mjs opens a notebook in the classic Notebook (6.x, Debian's
// jupyter-notebook) in headless Chromium, runs all cells through the UI
// (Cell > Run All), and checks the page as a reader sees it: every cell's
// printed lines, child processes' included, are under the cell whose saved
// outputs have them; every timeline SVG the notebook saved is drawn again;
// no cell shows an error unless it is tagged raises-exception.
//
// It is started by jupytertest's TestBrowser, which owns the notebook
// server; it prints one JSON object ({"problems": [...], ...}) on stdout.
//
//   node run.mjs --url URL --notebook FILE --user-data-dir DIR [--screenshot FILE]
//                [--shoot TEXT] [--answers JSON]
//
// --answers is a JSON list of lines typed, in order, into the input boxes
// that cells reading os.Stdin open (then empty lines). A cell that asked
// for input is checked for errors and timelines but not for its printed
// lines: the saved run had no keyboard, and took the lesson's path for
// that case. --shoot makes the screenshot that of the first code cell
// whose output contains TEXT, from the top of the cells before it that
// introduce it (back to a heading); without it, the page from the top
// through its first timeline.
//
// FILE is the notebook with the outputs the page must show again after Run
// All: as saved, or (for a notebook saved without outputs) as a headless
// run gave them. Numbers are masked before comparing (pids, times,
// durations differ from run to run), and lines are compared as sorted lists
// per cell (children print in any order).
import fs from 'node:fs';
import { chromium } from 'playwright-core';

function parseArgs(argv) {
  const args = {};
  for (let i = 2; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) {
      throw new Error(`bad argument ${argv[i]}`);
    }
    args[argv[i].slice(2)] = argv[i + 1];
  }
  for (const need of ['url', 'notebook', 'user-data-dir']) {
    if (!args[need]) throw new Error(`--${need} is required`);
  }
  return args;
}

const joinText = (t) => (Array.isArray(t) ? t.join('') : t || '');

// masked turns printed text into the sorted lines a run must reproduce:
// numbers become #, and runs of spaces one (columns widen with the pids),
// also after a comma or a colon (top writes "ni,100.0 id" and
// "%Cpu(s):100.0 us" at the ends of its scale).
// In a cell tagged "timing", a line starting with → is the cell's verdict
// on its own timings (whether the cores were free), which the machine's
// load decides: only that there is one is compared.
function masked(text, timing) {
  return text
    .split('\n')
    .map((l) => l.replace(/\d+(\.\d+)?/g, '#').replace(/([,:])\s*/g, '$1 ').replace(/\s+/g, ' ').trim())
    .map((l) => (timing && l.startsWith('→') ? '→' : l))
    .filter((l) => l !== '')
    .sort();
}

// expectations reads what each code cell showed when the notebook was saved.
function expectations(nb) {
  return nb.cells.map((c, index) => {
    if (c.cell_type !== 'code') return null;
    const outs = c.outputs || [];
    const stdout = outs
      .filter((o) => o.output_type === 'stream' && o.name === 'stdout')
      .map((o) => joinText(o.text))
      .join('');
    const svgs = outs
      .filter((o) => (o.output_type === 'display_data' || o.output_type === 'execute_result') && o.data && o.data['image/svg+xml'])
      .map((o) => (joinText(o.data['image/svg+xml']).match(/<g class="row /g) || []).length);
    const tags = (c.metadata && c.metadata.tags) || [];
    return {
      index,
      source: joinText(c.source),
      stdout: masked(stdout, tags.includes('timing')),
      timing: tags.includes('timing'),
      svgRows: svgs,
      raises: tags.includes('raises-exception'),
    };
  });
}

const browserFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function main() {
  const args = parseArgs(process.argv);
  const nb = JSON.parse(fs.readFileSync(args.notebook, 'utf8'));
  const want = expectations(nb);
  const problems = [];
  const problem = (s) => {
    problems.push(s);
    console.error('PROBLEM:', s);
  };
  const timeout = Number(args['timeout-ms'] || 240000);

  const context = await chromium.launchPersistentContext(args['user-data-dir'], {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: browserFlags,
    viewport: { width: 1100, height: 900 },
  });
  let result = {};
  try {
    const page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(timeout);
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(args.url, { waitUntil: 'load' });
    // The notebook is loaded and its kernel (gomp) started and idle.
    await page.waitForFunction(() => window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded);
    await page.waitForSelector('#kernel_indicator_icon.kernel_idle_icon');
    const kernelName = await page.evaluate(() => Jupyter.notebook.kernel.name);
    // Forget the saved outputs and prompts, so that what the checks see
    // below is this run's.
    await page.evaluate(() => {
      Jupyter.notebook.clear_all_output();
      for (const c of Jupyter.notebook.get_cells()) {
        if (c.cell_type === 'code') c.set_input_prompt();
      }
    });
    // Cells that read os.Stdin open an input box: type the answers, one
    // per box, while the cells run.
    const answers = JSON.parse(args.answers || '[]');
    const asked = new Set();
    let running = true;
    const typist = (async () => {
      while (running) {
        const box = await page.$('input.raw_input');
        if (box) {
          const cell = await box.evaluate((el) => Jupyter.notebook.get_cells().findIndex((c) => c.element[0].contains(el)));
          asked.add(cell);
          await box.fill(answers.length > 0 ? answers.shift() : '');
          await box.press('Enter');
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    await page.click('#celllink');
    await page.click('#run_all_cells > a');
    // Done when every non-empty code cell has its In [n] and the kernel is
    // idle again.
    await page.waitForFunction(
      () =>
        Jupyter.notebook
          .get_cells()
          .filter((c) => c.cell_type === 'code' && c.get_text().trim() !== '')
          .every((c) => typeof c.input_prompt_number === 'number') &&
        document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null,
      null,
      { polling: 250 },
    );
    running = false;
    await typist;

    const got = await page.evaluate(() =>
      Jupyter.notebook.get_cells().map((c) => {
        if (c.cell_type !== 'code') return null;
        const el = c.element[0];
        const text = (sel) => [...el.querySelectorAll(sel)].map((e) => e.innerText);
        return {
          prompt: c.input_prompt_number,
          stdout: text('.output_subarea.output_stream.output_stdout').join(''),
          stderr: text('.output_subarea.output_stream.output_stderr').join(''),
          errors: text('.output_subarea.output_error'),
          svgs: [...el.querySelectorAll('.output_svg svg')].map((s) => {
            const box = s.getBoundingClientRect();
            return { rows: s.querySelectorAll('g.row').length, width: box.width, height: box.height };
          }),
        };
      }),
    );

    let svgCount = 0;
    want.forEach((w, i) => {
      if (!w) return;
      const g = got[i];
      const where = `cell ${i + 1} (${w.source.split('\n')[0].slice(0, 50)})`;
      if (w.raises && g.errors.length === 0) problem(`${where}: tagged raises-exception, and showed no error`);
      if (!w.raises && g.errors.length > 0) problem(`${where}: shows an error: ${g.errors.join(' | ').slice(0, 500)}`);
      const lines = masked(g.stdout, w.timing);
      if (!asked.has(i) && JSON.stringify(lines) !== JSON.stringify(w.stdout)) {
        problem(`${where}: printed lines (numbers masked, sorted) differ from the saved notebook's:\n  got  ${JSON.stringify(lines)}\n  want ${JSON.stringify(w.stdout)}`);
      }
      if (g.svgs.length !== w.svgRows.length) {
        problem(`${where}: ${g.svgs.length} SVG images drawn, the saved notebook has ${w.svgRows.length}`);
      }
      g.svgs.forEach((s, k) => {
        svgCount++;
        if (s.width < 100 || s.height < 40) problem(`${where}: SVG ${k + 1} is drawn ${s.width}x${s.height}`);
        if (k < w.svgRows.length && s.rows !== w.svgRows[k]) {
          problem(`${where}: SVG ${k + 1} has ${s.rows} rows, the saved one ${w.svgRows[k]}`);
        }
      });
    });

    if (args.screenshot) {
      await page.evaluate(() => {
        Jupyter.notebook.select(0);
        window.scrollTo(0, 0);
        document.querySelector('#notebook').scrollTop = 0;
      });
      // The classic Notebook scrolls inside #site: a full-page shot of the
      // document would show one screen. Let #site grow to its content.
      await page.addStyleTag({ content: '#site { height: auto !important; overflow: visible !important; }' });
      // From the top through the cell of the first timeline: a lesson's
      // whole page is many screens, and the picture is of what the kernel
      // draws. Without a timeline, the page up to a bound.
      const clip = await page.evaluate((shoot) => {
        const width = document.documentElement.clientWidth;
        if (shoot) {
          const cells = Jupyter.notebook.get_cells();
          const i = cells.findIndex((c) => c.cell_type === 'code' && c.output_area.element[0].innerText.includes(shoot));
          if (i < 0) return null;
          // Back over the markdown cells that introduce it, to a heading.
          let first = i;
          while (first > 0 && cells[first - 1].cell_type === 'markdown') {
            first--;
            if (/^#/m.test(cells[first].get_text())) break;
          }
          const top = cells[first].element[0].getBoundingClientRect().top + window.scrollY - 8;
          const bottom = cells[i].element[0].getBoundingClientRect().bottom + window.scrollY + 16;
          return { x: 0, y: Math.max(0, Math.floor(top)), width, height: Math.min(Math.ceil(bottom - top), 6000) };
        }
        const svg = document.querySelector('.output_svg svg');
        const bottom = svg
          ? svg.closest('.cell').getBoundingClientRect().bottom + window.scrollY + 16
          : document.documentElement.scrollHeight;
        return { x: 0, y: 0, width, height: Math.min(Math.ceil(bottom), 6000) };
      }, args.shoot || '');
      if (!clip) throw new Error(`no cell's output contains ${JSON.stringify(args.shoot)} to take the screenshot of`);
      await page.screenshot({ path: args.screenshot, fullPage: true, clip });
    }
    result = {
      kernel: kernelName,
      codeCells: want.filter(Boolean).length,
      svgs: svgCount,
      lines: got.filter(Boolean).reduce((n, g) => n + masked(g.stdout).length, 0),
      askedInput: asked.size,
    };
  } finally {
    await context.close();
  }
  return { problems, ...result };
}

main().then(
  (r) => console.log(JSON.stringify(r)),
  (e) => {
    console.log(JSON.stringify({ problems: [`run.mjs stopped: ${e.stack || e}`] }));
    process.exitCode = 1;
  },
);
