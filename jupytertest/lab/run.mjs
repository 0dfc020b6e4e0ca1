// run.mjs drives gomp through a Jupyter server with @jupyterlab/services,
// the kernel client JupyterLab 4 runs in the browser: the REST calls and the
// kernel websocket JupyterLab makes, from node instead of a page.
//
// It is started by jupytertest's TestLab, which owns the server (Debian's
// jupyter-server, with gomp registered); it prints one JSON object
// ({"problems": [...], ...}) on stdout and exits 0 even when it found
// problems (the test reads them); a non-zero exit means it could not run.
//
//   node run.mjs --url URL --token TOKEN --notebook FILE --reference FILE
//
// FILE is the lesson, at lab/ under the server's root (its session's path);
// its code cells are run, in order, as JupyterLab's "Run All" sends them;
// REFERENCE is the same lesson with outputs (as saved,
// or as a headless nbconvert run gave them). What is checked:
//   - the server's kernelspecs, as JupyterLab's launcher reads them: gomp,
//     language go, both logos served as PNG, an absolute argv, the
//     process limit in env, metadata.debugger false;
//   - the session and kernel models, as the session context holds them;
//   - kernel_info's language_info, which chooses the editor's highlighting;
//   - every lesson cell: the lines it printed, its children's included,
//     under that cell (numbers masked, sorted: children print in any order;
//     rows of `ps`/`top` tables left out: they list whatever runs), no
//     iopub message of one cell arriving after that cell ended or under
//     another cell;
//   - display_data, a failing cell's error, stdin, completion, inspection;
//   - interrupting `for {}` (the time from the request to the Interrupted
//     error is reported, not judged), then the next cell answering;
//   - restart: a fresh session (a variable declared before is gone);
//   - the process limit: the kernelspec's env sets it, a Start past
//     mp.SetMaxProcesses(1) is the cell's error;
//   - shutdown: the kernel process and every process under it gone.
import fs from 'node:fs';
import path from 'node:path';
import services from '@jupyterlab/services';
import WebSocket from 'ws';

const { ServerConnection, KernelManager, SessionManager, KernelSpecManager } = services;

function parseArgs(argv) {
  const args = {};
  for (let i = 2; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) {
      throw new Error(`bad argument ${argv[i]}`);
    }
    args[argv[i].slice(2)] = argv[i + 1];
  }
  for (const need of ['url', 'token', 'notebook', 'reference']) {
    if (!args[need]) throw new Error(`--${need} is required`);
  }
  return args;
}

const joinText = (t) => (Array.isArray(t) ? t.join('') : t || '');

// masked turns printed text into the sorted lines a run must reproduce:
// numbers become #, paths /…, runs of spaces one; rows of process tables
// (`ps`, `top`: a line starting with a number once masked) are left out,
// since they list whatever else runs on the machine at that moment.
function masked(text) {
  return text
    .split('\n')
    .map((l) =>
      l
        .replace(/\/[^\s]*/g, '/…')
        .replace(/\d+(\.\d+)?/g, '#')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter((l) => l !== '' && !l.startsWith('#') && !/^PID PPID/.test(l))
    .sort();
}

// startsChildren says whether a cell starts processes (mp.Process, a Pool):
// those cells' printed lines are compared line by line.
const startsChildren = (src) => /\.Start\(\)|mp\.NewPool/.test(src);

function stdoutOf(outputs) {
  return outputs
    .filter((o) => o.output_type === 'stream' && o.name === 'stdout')
    .map((o) => joinText(o.text))
    .join('');
}

// processTree lists pid and every live process under it, from /proc.
function processTree(pid) {
  const children = new Map();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid ...: comm may hold spaces and parentheses.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(rest[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(e));
  }
  const out = [];
  const walk = (p) => {
    out.push(p);
    for (const c of children.get(p) || []) walk(c);
  };
  walk(pid);
  return out;
}

// alive says whether pid is a process that has not exited (a zombie has).
function alive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const args = parseArgs(process.argv);
  const lesson = JSON.parse(fs.readFileSync(args.notebook, 'utf8'));
  const reference = JSON.parse(fs.readFileSync(args.reference, 'utf8'));
  const problems = [];
  const problem = (s) => {
    problems.push(s);
    console.error('PROBLEM:', s);
  };
  const result = { problems };

  const serverSettings = ServerConnection.makeSettings({
    baseUrl: args.url,
    wsUrl: args.url.replace(/^http/, 'ws'),
    token: args.token,
    appendToken: true,
    WebSocket,
  });
  const kernelManager = new KernelManager({ serverSettings });
  const sessionManager = new SessionManager({ kernelManager, serverSettings });
  const specManager = new KernelSpecManager({ serverSettings });
  let session = null;
  try {
    // The launcher: kernelspecs and their logos.
    await specManager.ready;
    await specManager.refreshSpecs();
    const spec = specManager.specs && specManager.specs.kernelspecs.gomp;
    if (!spec) {
      problem(`the server's kernelspecs do not list gomp: ${JSON.stringify(Object.keys((specManager.specs || {}).kernelspecs || {}))}`);
      return result;
    }
    if (spec.language !== 'go' || spec.display_name !== 'Go (mp)') {
      problem(`kernelspec gomp: language ${spec.language}, display_name ${spec.display_name}`);
    }
    // What a hub needs of it: an absolute argv (no PATH lookup in a
    // spawner's environment), the process limit in env, and no debugger
    // (JupyterLab shows its debugger only where metadata.debugger is true).
    if (!spec.argv || !spec.argv[0].startsWith('/') || !/^\d+$/.test((spec.env || {}).GOMP_MAX_PROCESSES || '') ||
        !spec.metadata || spec.metadata.debugger !== false) {
      problem(`kernelspec gomp: argv ${JSON.stringify(spec.argv)}, env ${JSON.stringify(spec.env)}, metadata ${JSON.stringify(spec.metadata)}`);
    }
    result.logos = [];
    for (const size of ['logo-32x32', 'logo-64x64']) {
      const href = spec.resources[size];
      if (!href) {
        problem(`kernelspec gomp has no ${size} resource: ${JSON.stringify(spec.resources)}`);
        continue;
      }
      // Resources are server paths; JupyterLab loads them as <img src>.
      const resp = await ServerConnection.makeRequest(new URL(href, args.url).href, {}, serverSettings);
      const body = Buffer.from(await resp.arrayBuffer());
      const png = body.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      if (resp.status !== 200 || !png) {
        problem(`${size} (${href}): status ${resp.status}, ${body.length} bytes, PNG ${png}`);
      }
      result.logos.push(size);
    }

    // A notebook's session, as JupyterLab's session context starts it.
    const nbPath = `lab/${path.basename(args.notebook)}`;
    session = await sessionManager.startNew({
      path: nbPath,
      type: 'notebook',
      name: path.basename(args.notebook),
      kernel: { name: 'gomp' },
    });
    const kernel = session.kernel;
    await sessionManager.refreshRunning();
    const listed = [...sessionManager.running()].find((m) => m.id === session.id);
    if (!listed || listed.kernel.id !== kernel.id || listed.kernel.name !== 'gomp' || listed.path !== nbPath) {
      problem(`the running sessions do not hold ours: ${JSON.stringify(listed)}`);
    }
    await kernelManager.refreshRunning();
    const kmodel = [...kernelManager.running()].find((m) => m.id === kernel.id);
    if (!kmodel || kmodel.name !== 'gomp') problem(`the running kernels do not hold ours: ${JSON.stringify(kmodel)}`);
    result.session = { type: session.model.type, kernel: session.model.kernel.name };

    const info = await kernel.info;
    const li = info.language_info || {};
    const wantLI = { name: 'go', codemirror_mode: 'go', pygments_lexer: 'go', mimetype: 'text/x-go', file_extension: '.go' };
    for (const [k, v] of Object.entries(wantLI)) {
      if (li[k] !== v) problem(`kernel_info language_info.${k} = ${JSON.stringify(li[k])}, want ${JSON.stringify(v)}`);
    }
    if (info.implementation !== 'gomp' || !info.protocol_version) {
      problem(`kernel_info: implementation ${info.implementation}, protocol_version ${info.protocol_version}`);
    }
    result.languageInfo = li;

    // Every iopub message the kernel sends, to see where each one lands.
    const running = { id: null }; // msg_id of the execute request in flight
    kernel.iopubMessage.connect((_, msg) => {
      const parent = msg.parent_header && msg.parent_header.msg_id;
      // status and execute_input frame every request; shutdown_reply is
      // also published on iopub, for the other clients of the kernel.
      if (['status', 'execute_input', 'shutdown_reply'].includes(msg.header.msg_type)) return;
      if (parent !== running.id) {
        problem(`${msg.header.msg_type} arrived for request ${parent} while ${running.id} ran (or after it ended): ${JSON.stringify(msg.content).slice(0, 200)}`);
      }
    });

    // exec runs one cell as a notebook cell does and collects its outputs
    // as nbformat outputs (what the cell shows), with the reply.
    const exec = async (code, opts = {}) => {
      const future = kernel.requestExecute({ code, allow_stdin: !!opts.stdin, stop_on_error: false });
      running.id = future.msg.header.msg_id;
      const outputs = [];
      future.onIOPub = (msg) => {
        const t = msg.header.msg_type;
        if (t === 'stream' || t === 'display_data' || t === 'execute_result' || t === 'error') {
          outputs.push({ output_type: t, ...msg.content });
          if (opts.onOutput) opts.onOutput(msg);
        }
      };
      if (opts.stdin) {
        future.onStdin = (msg) => kernel.sendInputReply({ status: 'ok', value: opts.stdin(msg.content.prompt) }, msg.header);
      }
      const reply = await future.done;
      running.id = null;
      return { outputs, reply: reply.content };
    };
    const text = (outs) => outs.map((o) => (o.output_type === 'stream' ? o.text : '')).join('');
    const resultText = (outs) => outs.filter((o) => o.output_type === 'execute_result').map((o) => o.data['text/plain']).join('');

    // The lesson, cell by cell.
    const refCells = reference.cells;
    let ran = 0;
    for (let i = 0; i < lesson.cells.length; i++) {
      const c = lesson.cells[i];
      if (c.cell_type !== 'code' || joinText(c.source).trim() === '') continue;
      const src = joinText(c.source);
      const where = `lesson cell ${i + 1} (${src.split('\n')[0].slice(0, 50)})`;
      const { outputs, reply } = await exec(src);
      ran++;
      const ref = (refCells[i] && refCells[i].outputs) || [];
      const errors = outputs.filter((o) => o.output_type === 'error');
      const raises = ((c.metadata && c.metadata.tags) || []).includes('raises-exception');
      if (!raises && (reply.status !== 'ok' || errors.length > 0)) {
        problem(`${where}: ${reply.status}: ${errors.map((e) => `${e.ename}: ${e.evalue}`).join(' | ').slice(0, 300)}`);
      }
      const got = stdoutOf(outputs);
      const want = stdoutOf(ref);
      if (startsChildren(src)) {
        const g = masked(got);
        const w = masked(want);
        if (JSON.stringify(g) !== JSON.stringify(w)) {
          problem(`${where}: printed lines (masked, sorted) differ from the reference's:\n  got  ${JSON.stringify(g)}\n  want ${JSON.stringify(w)}`);
        }
      } else if ((got.trim() === '') !== (want.trim() === '')) {
        problem(`${where}: printed ${JSON.stringify(got.slice(0, 100))}, the reference ${JSON.stringify(want.slice(0, 100))}`);
      }
    }
    result.lessonCells = ran;

    // display_data, as a renderer gets it: a mime bundle with HTML.
    {
      const { outputs } = await exec('import "display"\ndisplay.HTML("<b>lab</b> test")');
      const d = outputs.filter((o) => o.output_type === 'display_data');
      if (d.length !== 1 || d[0].data['text/html'] !== '<b>lab</b> test' || typeof d[0].metadata !== 'object') {
        problem(`display.HTML showed ${JSON.stringify(outputs)}`);
      }
    }
    // A failing cell: one error output, the reply's ename and evalue.
    {
      const { outputs, reply } = await exec('panic("boom from lab")');
      const errs = outputs.filter((o) => o.output_type === 'error');
      if (reply.status !== 'error' || reply.ename !== 'panic' || !/boom from lab/.test(reply.evalue) ||
          errs.length !== 1 || errs[0].ename !== 'panic' || !/boom from lab/.test(errs[0].evalue) ||
          !Array.isArray(errs[0].traceback) || errs[0].traceback.length === 0) {
        problem(`panic("boom from lab"): reply ${JSON.stringify(reply)}, outputs ${JSON.stringify(outputs)}`);
      }
      const undef = await exec('undefinedName + 1');
      if (undef.reply.status !== 'error' || undef.reply.ename !== 'CompileError' || !/undefined: undefinedName/.test(undef.reply.evalue)) {
        problem(`undefinedName + 1: reply ${JSON.stringify(undef.reply)}`);
      }
    }
    // stdin, answered as JupyterLab's input box answers it.
    {
      const prompts = [];
      const { outputs } = await exec('var s string\nfmt.Scanln(&s)\nfmt.Println("leído:", s)', {
        stdin: (p) => {
          prompts.push(p);
          return 'lab';
        },
      });
      if (prompts.length !== 1 || !/leído: lab/.test(text(outputs))) {
        problem(`fmt.Scanln: ${prompts.length} input requests, printed ${JSON.stringify(text(outputs))}`);
      }
    }
    // Completion and inspection, as the editor asks for them.
    {
      const comp = (await kernel.requestComplete({ code: 'fmt.Prin', cursor_pos: 8 })).content;
      if (comp.status !== 'ok' || !comp.matches.some((m) => m === 'Println' || m === 'fmt.Println')) {
        problem(`complete fmt.Prin: ${JSON.stringify(comp).slice(0, 300)}`);
      }
      const insp = (await kernel.requestInspect({ code: 'strings.ToUpper', cursor_pos: 10, detail_level: 0 })).content;
      if (insp.status !== 'ok' || !insp.found || !/func ToUpper/.test(insp.data['text/plain'] || '')) {
        problem(`inspect strings.ToUpper: ${JSON.stringify(insp).slice(0, 300)}`);
      }
      const isc = (await kernel.requestIsComplete({ code: 'func f() {' })).content;
      if (isc.status !== 'incomplete') problem(`is_complete "func f() {": ${JSON.stringify(isc)}`);
    }

    // Interrupt: the ■ button is a REST call; the server signals the kernel.
    {
      let started;
      const gotStarted = new Promise((r) => (started = r));
      let interruptedAt = 0;
      const running = exec('for {\n}', {
        onOutput: (msg) => {
          if (msg.header.msg_type === 'error' && !interruptedAt) interruptedAt = performance.now();
        },
      });
      // The cell is running once the kernel published its execute_input;
      // give the loop a moment to be in it.
      const onMsg = (_, msg) => {
        if (msg.header.msg_type === 'execute_input') started();
      };
      kernel.iopubMessage.connect(onMsg);
      await gotStarted;
      kernel.iopubMessage.disconnect(onMsg);
      await sleep(300);
      const t0 = performance.now();
      await kernel.interrupt();
      const { outputs, reply } = await running;
      const t1 = interruptedAt || performance.now();
      result.interruptMs = Math.round((t1 - t0) * 10) / 10;
      const errs = outputs.filter((o) => o.output_type === 'error');
      if (reply.status !== 'error' || reply.ename !== 'Interrupted' || errs.length !== 1 || errs[0].ename !== 'Interrupted') {
        problem(`interrupting for {}: reply ${JSON.stringify(reply)}, outputs ${JSON.stringify(outputs).slice(0, 300)}`);
      }
      const next = await exec('1 + 1');
      if (next.reply.status !== 'ok' || resultText(next.outputs) !== '2') {
        problem(`the cell after the interrupt: ${JSON.stringify(next)}`);
      }
    }

    // Restart: a fresh session, a new process.
    {
      const before = await exec('import "os"\nlabProbe := 41\nlabPid := os.Getpid()\nlabPid');
      const pidBefore = Number(resultText(before.outputs));
      await kernel.restart();
      await kernel.info; // the restarted kernel answered kernel_info
      const after = await exec('labProbe + 1');
      if (after.reply.status !== 'error' || after.reply.ename !== 'CompileError' || !/undefined: labProbe/.test(after.reply.evalue)) {
        problem(`after restart, labProbe + 1 gave ${JSON.stringify(after.reply)}; want undefined: labProbe`);
      }
      const pidAfter = Number(resultText((await exec('import "os"\nlabPid := os.Getpid()\nlabPid')).outputs));
      if (!(pidBefore > 0) || !(pidAfter > 0) || pidBefore === pidAfter) {
        problem(`kernel pid before restart ${pidBefore}, after ${pidAfter}: want two processes`);
      }
      if (alive(pidBefore)) problem(`the kernel before the restart (pid ${pidBefore}) is still running`);
    }

    // The process limit: the kernelspec's env sets it, a cell lowers it,
    // and a Start past it is the cell's error.
    {
      const lim = await exec('import "mp"\nlabLimit := mp.MaxProcesses()\nlabLimit');
      if (resultText(lim.outputs) !== String(spec.env && spec.env.GOMP_MAX_PROCESSES)) {
        problem(`mp.MaxProcesses() = ${resultText(lim.outputs)}, the kernelspec's env says ${JSON.stringify(spec.env)}`);
      }
      const over = await exec(
        'import "time"\n\nfunc labNap() { time.Sleep(time.Hour) }\n\n' +
          'mp.SetMaxProcesses(1)\nlabA := mp.NewProcess(labNap)\nlabA.Start()\nlabB := mp.NewProcess(labNap)\nlabB.Start()',
      );
      if (over.reply.status !== 'error' || !/too many processes/.test(over.reply.evalue)) {
        problem(`a second Start under mp.SetMaxProcesses(1): ${JSON.stringify(over.reply).slice(0, 400)}`);
      }
      const back = await exec(`labA.Kill()\nlabA.Join()\nmp.SetMaxProcesses(${Number(lim.outputs.length ? resultText(lim.outputs) : 64)})`);
      if (back.reply.status !== 'ok') problem(`killing the first and raising the limit again: ${JSON.stringify(back.reply)}`);
    }

    // Shutdown with a child running: nothing is left.
    {
      const { outputs, reply } = await exec(
        'import (\n\t"mp"\n\t"os"\n\t"time"\n)\n\nfunc labSleeper() { time.Sleep(time.Hour) }\n\n' +
          'sleeper := mp.NewProcess(labSleeper)\nsleeper.Start()\nlabPid := os.Getpid()\nlabPid',
      );
      const pid = Number(resultText(outputs));
      if (reply.status !== 'ok' || !(pid > 0)) {
        problem(`starting a sleeping child: ${JSON.stringify(reply)}`);
      } else {
        const tree = processTree(pid);
        if (tree.length < 2) problem(`the kernel (pid ${pid}) has no child running: ${tree}`);
        const t0 = performance.now();
        await session.shutdown();
        session = null;
        let left = tree;
        for (let i = 0; i < 100 && left.length > 0; i++) {
          await sleep(100);
          left = tree.filter(alive);
        }
        result.shutdownMs = Math.round(performance.now() - t0);
        result.shutdownProcesses = tree.length;
        if (left.length > 0) problem(`after shutdown, processes of the kernel's tree still run: ${left} (of ${tree})`);
      }
    }
  } finally {
    if (session) await session.shutdown().catch(() => {});
    sessionManager.dispose();
    kernelManager.dispose();
    specManager.dispose();
  }
  return result;
}

main().then(
  (r) => {
    process.stdout.write(JSON.stringify(r) + '\n');
    process.exit(0);
  },
  (e) => {
    console.error(e && e.stack ? e.stack : e);
    process.exit(2);
  },
);
