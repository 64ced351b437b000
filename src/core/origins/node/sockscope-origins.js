// SockScope's Node.js socket-origins recorder, loaded with `node --require` through NODE_OPTIONS by
// `sockscope run` (src/core/origins/inject.ts). Plain CommonJS with no dependencies: it runs inside the
// user's program, before its main module.
//
// It records where a TCP, UDP or pipe handle gets its descriptor:
//   client sockets  net.Socket#connect (net.connect, http, tls…): the stack of the connect call; the
//                   descriptor appears when the handle's connect runs (after a DNS lookup if any)
//   servers         net.Server#listen: the stack of the listen call, taken once, for the listening
//                   descriptor and for every connection the server accepts (Node accepts in its own
//                   code and hands the new handle to the listening handle's onconnection, wrapped)
//   UDP             dgram.Socket#bind (also the implicit bind of a first send)
// and every handle close (HandleWrap#close, through which Node closes all of them), so that a reused
// descriptor is never attributed to an old stack. The stack is captured with a small
// Error.stackTraceLimit and left unformatted; its call sites are read when the batch it belongs to is
// written (every ~10 ms), all of the batch at once, and looked up in a tree of file names and character
// offsets (no key string per stack; a line and column lookup for each frame cost more than the rest).
// Frames in Node's own code (node:*) and in this file
// are left out, so frame 0 is the innermost frame of the program. A new site is formatted (and mapped
// through its source map: module.findSourceMap when the program runs with --enable-source-maps, else
// the file's own sourceMappingURL) once. A socket still open when its batch is written gets an fstat
// (the inode) and a line; one opened and closed within the batch is only counted for its site.
//
// Output: <records dir>/<pid>.stream, the line format read by src/core/origins/streamFile.ts (keep in
// step), written in batches (at most ~10 ms late, at exit at once) and rewritten compactly past its cap
// ($SOCKSCOPE_ORIGINS_LOG_BYTES, 4 MiB), so its size stays bounded while per-site counts are kept.
// The records dir is the native recorder's: $SOCKSCOPE_ORIGINS_DIR, $XDG_RUNTIME_DIR/sockscope or
// /tmp/sockscope-<uid>, mode 0700, refused if anyone else could read it. Main thread only.
'use strict';

(function sockscopeOrigins() {
  const MARK = Symbol.for('sockscope.origins.recorder');
  if (process.platform !== 'linux' || globalThis[MARK]) return;
  globalThis[MARK] = true;
  const { isMainThread } = require('worker_threads');
  if (!isMainThread) return;

  const fs = require('fs');
  const path = require('path');
  const net = require('net');
  const dgram = require('dgram');
  const url = require('url');
  const Module = require('module');

  const MAX_SITES = 4096;
  const MAX_FRAMES = 8;
  const STACK_LIMIT = 10;
  const CAP = Number(process.env.SOCKSCOPE_ORIGINS_LOG_BYTES) > 0 ? Number(process.env.SOCKSCOPE_ORIGINS_LOG_BYTES) : 4 << 20;
  const SELF = __filename;

  function warn(message) {
    try { process.stderr.write(`sockscope-origins: ${message}; origins not recorded\n`); } catch { /* no stderr */ }
  }

  function recordsDir() {
    const env = process.env;
    if (env.SOCKSCOPE_ORIGINS_DIR) return env.SOCKSCOPE_ORIGINS_DIR;
    if (env.XDG_RUNTIME_DIR && env.XDG_RUNTIME_DIR.startsWith('/')) return path.join(env.XDG_RUNTIME_DIR, 'sockscope');
    return `/tmp/sockscope-${process.geteuid()}`;
  }

  function startTicks() {
    try {
      const stat = fs.readFileSync('/proc/self/stat', 'latin1');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] || '';
    } catch {
      return '';
    }
  }

  // Why the folder may not be used, or undefined: in the words of src/core/origins/recordsDir.ts's
  // recordsDirProblem (keep the four recorders and the reader in step).
  function dirProblem(st, me) {
    const facts = `owner uid ${st.uid}, mode 0${(st.mode & 0o777).toString(8).padStart(3, '0')}`;
    const what = st.isSymbolicLink() ? 'a symbolic link' : st.isDirectory() ? undefined : 'not a directory';
    if (what) return `${dir} is ${what} (${facts}); set SOCKSCOPE_ORIGINS_DIR to a folder of your own`;
    if (st.uid !== me) return `${dir} belongs to another user (${facts}; you are uid ${me}); set SOCKSCOPE_ORIGINS_DIR to a folder of your own`;
    if ((st.mode & 0o077) !== 0) return `${dir} may be read or written by others (${facts}); run \`chmod 700 ${dir}\`, or set SOCKSCOPE_ORIGINS_DIR to a folder of your own`;
    return undefined;
  }

  const dir = recordsDir();
  try {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    const problem = dirProblem(fs.lstatSync(dir), process.geteuid());
    if (problem) {
      warn(`refusing the origins folder: ${problem}`);
      return;
    }
  } catch (e) {
    warn(`cannot use ${dir}: ${e.message}`);
    return;
  }

  const file = path.join(dir, `${process.pid}.stream`);
  const header = `SSSTREAM\t1\tnode\t${process.pid}\t${startTicks()}\n`;
  let out;
  try {
    out = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND | fs.constants.O_NOFOLLOW, 0o600);
    fs.writeSync(out, header);
  } catch (e) {
    warn(`cannot write ${file}: ${e.message}`);
    return;
  }

  // State: the sites (their S lines and per-site counts, as the file has them), the live descriptors,
  // and the batch not yet written.
  const siteLines = [];
  const opens = [];
  const closes = [];
  const live = []; // fd -> its Record, while the program holds the descriptor (descriptors are small: an array, no hashing)
  let sitesDropped = 0;
  let fresh = []; // records opened since the last batch, in order
  let shut = []; // records of earlier batches (their O line written) closed since the last batch
  let written = header.length;
  let timer;
  let stopped = false;
  const PID = process.pid;

  // A record's state: opened in the batch not yet written; its O line written; opened and closed again
  // within its batch; its descriptor opened again within its batch without a close seen (a handle closed
  // in a way the recorder does not see).
  const FRESH = 0;
  const WRITTEN = 1;
  const BRIEF = 2;
  const LOST = 3;
  const UNRESOLVED = -2;

  /**
   * One per descriptor the program gets: its Stack (shared by all the sockets made there, e.g. a server's
   * accepted ones) until its batch is written, then its site id; once its O line is written, its inode
   * and the time of that batch (the socket was made at most ~10 ms before).
   */
  function Record(fd, stack) {
    this.fd = fd;
    this.stack = stack;
    this.site = UNRESOLVED;
    this.time = 0;
    this.inode = -1;
    this.state = FRESH;
  }

  /**
   * A captured stack: V8's object holding it unformatted until the batch reads its call sites, then its
   * site id. The holder itself is never written to (a property added to it would cost a map change).
   */
  function Stack(holder) {
    this.holder = holder;
    this.id = UNRESOLVED;
  }

  // The recorder failed (its file could not be written or rewritten: disk full, permissions…): it
  // stops for good, says so once, and the program goes on; the wrappers then only call the originals.
  function stop(e) {
    if (stopped) return;
    stopped = true;
    fresh = [];
    shut = [];
    live.length = 0;
    try { fs.closeSync(out); } catch { /* already gone */ }
    warn(`recording stopped: ${e && e.message ? e.message : e}`);
  }

  // A batch is written every ~10 ms (or at 4,096 events, or at exit), with the site ids of all its
  // stacks looked up at once (reading a stack's call sites costs more than capturing it, and much less
  // in a tight loop than one at a time). A socket opened and closed again within one batch becomes
  // counts only (an N line): no line and no fstat for it. The others get their inode now (the
  // descriptor is still theirs: its close would be in the batch).
  function flush() {
    timer = undefined;
    if (stopped || (fresh.length === 0 && shut.length === 0)) return;
    try {
      write();
    } catch (e) {
      stop(e);
    }
  }

  function schedule() {
    if (fresh.length + shut.length >= 4096) flush();
    else if (timer === undefined) {
      timer = setTimeout(flush, 10);
      timer.unref();
    }
  }

  // Per site, the batch's sockets that get no line of their own (opened and closed within it, or lost):
  // added to the counts with one N line per site. The batch is written by small functions and write()
  // itself has no loop: V8's optimizing compiler runs on the program's own CPU time, and one function
  // looping over the batch with the file calls (fstat, write) inlined cost it more to compile than the
  // batches themselves took in a short program.
  const batchOpens = [];
  const batchCloses = [];
  const touched = [];

  function write() {
    const made = fresh;
    const gone = shut;
    fresh = [];
    shut = [];
    let text = resolveSites(made);
    // The closes first: every one of them is of a descriptor opened in an earlier batch, so one this
    // batch opens again can only have been reopened after it.
    if (gone.length > 0) text += closeLines(gone);
    const open = countBrief(made);
    if (open !== undefined) text += openLines(open);
    if (touched.length > 0) text += countLines();
    written += fs.writeSync(out, text);
    if (written > capNow) compact();
  }

  /** Counts the batch's sockets that get no line of their own; the ones still open. */
  function countBrief(made) {
    let open;
    for (let i = 0; i < made.length; i++) {
      const r = made[i];
      if (r.state === FRESH) {
        if (open === undefined) open = [];
        open.push(r);
      } else if (r.site >= 0) {
        const site = r.site;
        if (batchOpens[site] === 0) touched.push(site);
        batchOpens[site]++;
        if (r.state === BRIEF) batchCloses[site]++;
      }
    }
    return open;
  }

  function closeLines(gone) {
    let text = '';
    for (let i = 0; i < gone.length; i++) {
      const r = gone[i];
      if (r.site >= 0) closes[r.site]++;
      text += `C\t${r.fd}\t${r.site}\n`;
    }
    return text;
  }

  /** O lines for the batch's sockets still open, with their inodes. */
  function openLines(open) {
    let text = '';
    const now = Date.now();
    for (let i = 0; i < open.length; i++) {
      const r = open[i];
      let inode;
      try { inode = fs.fstatSync(r.fd).ino; } catch { inode = undefined; }
      if (inode !== undefined) {
        r.inode = inode;
        r.time = now;
        r.state = WRITTEN;
        if (r.site >= 0) opens[r.site]++;
        text += `O\t${r.fd}\t${inode}\t${r.site}\t${now}\t${PID}\n`;
        continue;
      }
      // Its descriptor is gone already (closed behind the wrappers' back): made, not live.
      if (live[r.fd] === r) live[r.fd] = undefined;
      if (r.site >= 0) {
        if (batchOpens[r.site] === 0) touched.push(r.site);
        batchOpens[r.site]++;
      }
    }
    return text;
  }

  function countLines() {
    let text = '';
    while (touched.length > 0) {
      const site = touched.pop();
      opens[site] += batchOpens[site];
      closes[site] += batchCloses[site];
      text += `N\t${site}\t${batchOpens[site]}\t${batchCloses[site]}\n`;
      batchOpens[site] = 0;
      batchCloses[site] = 0;
    }
    return text;
  }

  // The file again from the state: sites, counts of what is no longer live, the live descriptors.
  function compact() {
    const lines = [header, ...siteLines];
    const liveBySite = new Map();
    for (const r of live) if (r !== undefined && r.state === WRITTEN && r.site >= 0) liveBySite.set(r.site, (liveBySite.get(r.site) || 0) + 1);
    for (let id = 0; id < siteLines.length; id++) lines.push(`N\t${id}\t${opens[id] - (liveBySite.get(id) || 0)}\t${closes[id]}\n`);
    if (sitesDropped) lines.push(`D\t${sitesDropped}\n`);
    for (let fd = 0; fd < live.length; fd++) {
      const r = live[fd];
      if (r !== undefined && r.state === WRITTEN) lines.push(`O\t${fd}\t${r.inode}\t${r.site}\t${r.time}\t${PID}\n`);
    }
    const text = lines.join('');
    const tmp = `${file}.tmp`;
    // The new file is opened and written whole before the old one is let go: a failure on the way
    // (thrown to flush, which stops recording) leaves the old descriptor as it was.
    let next;
    try {
      next = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND | fs.constants.O_NOFOLLOW, 0o600);
      fs.writeSync(next, text);
      fs.renameSync(tmp, file);
    } catch (e) {
      if (next !== undefined) {
        try { fs.closeSync(next); } catch { /* nothing to do */ }
        try { fs.unlinkSync(tmp); } catch { /* nothing to do */ }
      }
      throw e;
    }
    const old = out;
    out = next;
    try { fs.closeSync(old); } catch { /* nothing to do */ }
    written = Buffer.byteLength(text);
    // A file that stays large because that many sockets are live gets room to grow before the next rewrite.
    capNow = Math.max(CAP, 2 * written);
  }
  let capNow = CAP;

  process.on('exit', flush);

  // --- stacks ---------------------------------------------------------------------------------

  const rawCallSites = (_error, callSites) => callSites;
  const isRuntime = (name) => !name || name.startsWith('node:') || name === SELF || !(name.startsWith('/') || name.startsWith('file:'));

  const NO_SITE = new Stack(undefined);
  NO_SITE.id = -1;

  /** The current stack (program frames only, read by resolveSites), cheap to take: V8 keeps it unformatted. */
  function captureSite(skip) {
    const limit = Error.stackTraceLimit;
    // A bare object without a prototype: V8 gives it its `stack` accessor, which turns the object into a
    // dictionary; this one starts as one, which saves V8 a new shape per capture (a `stack` data
    // property there already would have to be redefined, which costs more).
    const holder = Object.create(null);
    try {
      Error.stackTraceLimit = STACK_LIMIT;
      Error.captureStackTrace(holder, skip);
    } finally {
      Error.stackTraceLimit = limit;
    }
    return new Stack(holder);
  }

  /** Gives each socket of a batch its site id (-1: no program frame, or the table is full); the S lines of new sites. */
  function resolveSites(made) {
    let text = '';
    let prepare;
    let swapped = false;
    try {
      for (let i = 0; i < made.length; i++) {
        const r = made[i];
        const stack = r.stack;
        r.stack = undefined;
        if (stack.id === UNRESOLVED) {
          if (!swapped) {
            prepare = Error.prepareStackTrace;
            Error.prepareStackTrace = rawCallSites;
            swapped = true;
          }
          const holder = stack.holder;
          stack.holder = undefined;
          stack.id = -1;
          const callSites = holder.stack;
          if (Array.isArray(callSites)) {
            text += resolveSite(stack, callSites);
          }
        }
        r.site = stack.id;
      }
    } finally {
      if (swapped) Error.prepareStackTrace = prepare;
    }
    return text;
  }

  // A call site's place in its script for the key: its character offset where V8 gives it (a lookup of
  // the line and column costs more than the rest of the key; they are read only for a new site), else
  // line and column.
  const positionOf = typeof Error.captureStackTrace === 'function' && callSitePosition()
    ? (c) => c.getPosition()
    : (c) => `${c.getLineNumber()}:${c.getColumnNumber()}`;
  function callSitePosition() {
    const prepare = Error.prepareStackTrace;
    try {
      Error.prepareStackTrace = rawCallSites;
      const holder = {};
      Error.captureStackTrace(holder);
      const c = Array.isArray(holder.stack) ? holder.stack[0] : undefined;
      return !!c && typeof c.getPosition === 'function' && Number.isInteger(c.getPosition());
    } catch {
      return false;
    } finally {
      Error.prepareStackTrace = prepare;
    }
  }

  // The sites by their program frames: a tree keyed by each frame's file name then position, innermost
  // frame first (no key string is built per stack); a node's id is the site of the stack ending there.
  // Nodes are made only for a stack that gets a site, so the tree is bounded with the site table.
  const siteTree = new Map(); // file name -> Map(position -> { id, next })
  /**
   * Sets stack.id from its call sites; the S line if the site is new. The lookup walks the tree while it
   * reads the frames and stops at the first one the tree lacks: nothing is stored per frame (scratch
   * arrays emptied after each stack lost their backing store and grew it again for the next one), and a
   * known stack, nearly all of them, costs its frames' file names and positions and two map lookups each.
   */
  function resolveSite(stack, callSites) {
    let n = 0;
    let level = siteTree;
    let node;
    for (let i = 0; i < callSites.length && n < MAX_FRAMES; i++) {
      const c = callSites[i];
      const name = c.getFileName();
      if (isRuntime(name)) continue;
      n++;
      const byPosition = level.get(name);
      node = byPosition === undefined ? undefined : byPosition.get(positionOf(c));
      if (node === undefined) break;
      level = node.next;
    }
    if (n === 0) return '';
    if (node !== undefined && node.id !== undefined) {
      stack.id = node.id;
      return '';
    }
    if (siteLines.length >= MAX_SITES) {
      sitesDropped++;
      return '';
    }
    return newSite(stack, callSites);
  }

  /** A stack not in the tree yet: its nodes, its site id and S line (program frames, innermost first). */
  function newSite(stack, callSites) {
    const program = [];
    const names = [];
    for (let i = 0; i < callSites.length && program.length < MAX_FRAMES; i++) {
      const name = callSites[i].getFileName();
      if (isRuntime(name)) continue;
      program.push(callSites[i]);
      names.push(name);
    }
    let level = siteTree;
    let node;
    for (let k = 0; k < program.length; k++) {
      const position = positionOf(program[k]);
      let byPosition = level.get(names[k]);
      if (byPosition === undefined) level.set(names[k], (byPosition = new Map()));
      node = byPosition.get(position);
      if (node === undefined) byPosition.set(position, (node = { id: undefined, next: new Map() }));
      level = node.next;
    }
    const id = siteLines.length;
    node.id = id;
    const frames = [];
    for (let k = 0; k < program.length; k++) {
      const c = program[k];
      frames.push(frameOf(c, names[k], c.getLineNumber(), c.getColumnNumber()));
    }
    siteLines.push(`S\t${id}\t${JSON.stringify(frames)}\n`);
    opens.push(0);
    closes.push(0);
    batchOpens.push(0);
    batchCloses.push(0);
    stack.id = id;
    return siteLines[id];
  }

  function functionName(c) {
    const fn = c.getFunctionName();
    const type = c.getTypeName();
    const method = c.getMethodName();
    if (fn) return type && !fn.includes('.') && type !== 'Object' && type !== 'global' ? `${type}.${fn}` : fn;
    if (method) return type ? `${type}.${method}` : method;
    return '<anonymous>';
  }

  function frameOf(c, name, line, column) {
    const fileName = name.startsWith('file:') ? url.fileURLToPath(name) : name;
    const mapped = mapPosition(fileName, line, column);
    return mapped ? [mapped.file, mapped.line, functionName(c)] : [fileName, line, functionName(c)];
  }

  // --- source maps --------------------------------------------------------------------------------

  const ownMaps = new Map(); // file -> { map, dir } | null
  function sourceMapOf(fileName) {
    if (typeof Module.findSourceMap === 'function') {
      const m = Module.findSourceMap(fileName) || Module.findSourceMap(url.pathToFileURL(fileName).href);
      if (m) return { map: m, base: undefined };
    }
    if (ownMaps.has(fileName)) return ownMaps.get(fileName);
    let result = null;
    try {
      const text = fs.readFileSync(fileName, 'utf8');
      const at = text.lastIndexOf('sourceMappingURL=');
      if (at >= 0 && typeof Module.SourceMap === 'function') {
        const ref = text.slice(at + 'sourceMappingURL='.length).split(/\s/)[0];
        let payload;
        let base = path.dirname(fileName);
        if (ref.startsWith('data:')) {
          const comma = ref.indexOf(',');
          const data = ref.slice(comma + 1);
          payload = JSON.parse(ref.slice(0, comma).endsWith(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data));
        } else {
          const mapFile = path.resolve(base, ref.startsWith('file:') ? url.fileURLToPath(ref) : ref);
          payload = JSON.parse(fs.readFileSync(mapFile, 'utf8'));
          base = path.dirname(mapFile);
        }
        result = { map: new Module.SourceMap(payload), base: path.resolve(base, payload.sourceRoot || '') };
      }
    } catch { result = null; }
    ownMaps.set(fileName, result);
    return result;
  }

  function mapPosition(fileName, line, column) {
    const sm = sourceMapOf(fileName);
    if (!sm) return undefined;
    const e = sm.map.findEntry(line - 1, column - 1);
    if (!e || e.originalSource === undefined || e.originalLine === undefined) return undefined;
    let source = e.originalSource;
    if (source.startsWith('file:')) source = url.fileURLToPath(source);
    else if (sm.base !== undefined) source = path.resolve(sm.base, source);
    return { file: source, line: e.originalLine + 1 };
  }

  // --- events ---------------------------------------------------------------------------------------

  function opened(fd, stack) {
    if (stopped || !(fd >= 0)) return;
    const old = live[fd];
    if (old !== undefined && old.state === FRESH) old.state = LOST;
    const r = new Record(fd, stack);
    live[fd] = r;
    fresh.push(r);
    schedule();
  }

  function closing(fd) {
    if (stopped) return;
    const r = live[fd];
    if (r === undefined) return;
    live[fd] = undefined;
    if (r.state === FRESH) r.state = BRIEF;
    else {
      shut.push(r);
      schedule();
    }
  }

  // A handle whose descriptor comes later (a connect after a DNS lookup, on the next tick) waits here
  // with its stack, keyed by the handle itself: a property added to Node's handle objects would change
  // their shape, and Node's own code that reads them would then see two shapes where it saw one.
  const awaiting = new WeakMap();
  const patched = new WeakSet();
  let lastProto;

  // The handle prototypes (TCP, Pipe, UDP and their HandleWrap base) are internal: patched the first
  // time one of their handles is seen, before any of its descriptors can be closed. The wrappers pass
  // `arguments` on (V8 makes no array for that, unlike a rest parameter).
  function patchHandle(handle) {
    if (!handle || typeof handle !== 'object') return;
    const proto = Object.getPrototypeOf(handle);
    // The prototype of the handle seen last (every socket of a TCP program has the same one): no WeakSet lookup.
    if (proto === lastProto || !proto) return;
    lastProto = proto;
    if (patched.has(proto)) return;
    patched.add(proto);
    for (const name of ['connect', 'connect6', 'bind', 'bind6']) {
      const original = proto[name];
      if (typeof original !== 'function') continue;
      proto[name] = function sockscopeHandleCall() {
        const result = original.apply(this, arguments);
        try {
          const site = awaiting.get(this);
          if (site !== undefined) {
            const fd = this.fd;
            if (fd >= 0) { awaiting.delete(this); opened(fd, site); }
          }
        } catch (e) { stop(e); }
        return result;
      };
    }
    let base = proto;
    while (base && !Object.prototype.hasOwnProperty.call(base, 'close')) base = Object.getPrototypeOf(base);
    if (base && !patched.has(base)) {
      patched.add(base);
      base.close = closingFirst(base.close);
    }
    // TCP#reset (Socket#resetAndDestroy) closes the handle with a RST without going through close.
    if (typeof proto.reset === 'function' && Object.prototype.hasOwnProperty.call(proto, 'reset')) proto.reset = closingFirst(proto.reset);
  }

  /** A handle method that closes its descriptor, recording the close first. */
  function closingFirst(original) {
    return function sockscopeHandleClose() {
      try {
        const fd = this.fd;
        if (typeof fd === 'number' && fd >= 0) closing(fd);
      } catch (e) { stop(e); }
      return original.apply(this, arguments);
    };
  }

  // The capture of captureSite written out here, where every client socket passes: one function less
  // for V8 to call and, when it is not inlined, one frame less to walk and summarize before the skipped
  // frame is found (the walk reads an optimized frame's deoptimization data, the capture's main cost).
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function connect_() {
    if (stopped) return connect.apply(this, arguments);
    let site;
    try {
      const holder = Object.create(null);
      const limit = Error.stackTraceLimit;
      // The program's limit is nearly always V8's default, the recorder's own: then it is left as it is
      // (not written twice per socket).
      if (limit === STACK_LIMIT) Error.captureStackTrace(holder, connect_);
      else {
        try {
          Error.stackTraceLimit = STACK_LIMIT;
          Error.captureStackTrace(holder, connect_);
        } finally {
          Error.stackTraceLimit = limit;
        }
      }
      site = new Stack(holder);
    } catch (e) {
      stop(e);
    }
    const result = connect.apply(this, arguments);
    if (stopped) return result;
    try {
      const handle = this._handle;
      if (handle) {
        patchHandle(handle);
        const fd = handle.fd;
        if (fd >= 0 && live[fd] === undefined) opened(fd, site);
        else if (!(fd >= 0)) awaiting.set(handle, site);
      }
    } catch (e) { stop(e); }
    return result;
  };

  // A server's stack is taken once, at listen: its listening descriptor and every connection it accepts
  // share it, so an accepted socket costs no capture. Node accepts in its own code and hands each new
  // handle to the listening handle's `onconnection` (looked up on the handle at each accept): that
  // function, wrapped on this server's handle only, records the descriptor before Node makes a Socket of
  // it (a handle given to a server's 'connection' event by the program itself is not an accept).
  const listen = net.Server.prototype.listen;
  const wrappedAccepts = new WeakSet();
  // The site of a server's latest listen() call while it is not listening yet: one 'listening' listener
  // per server, however often a failed listen() is retried (one per call passed Node's listener limit).
  const listenSites = new WeakMap();
  // The server's listening descriptor and its accepted sockets get the site of the listen() call.
  const recordListening = (server, site) => {
    try {
      const handle = server._handle;
      if (!handle || stopped) return;
      patchHandle(handle);
      if (handle.fd >= 0 && live[handle.fd] === undefined) opened(handle.fd, site);
      const accept = handle.onconnection;
      if (typeof accept === 'function' && !wrappedAccepts.has(accept)) {
        const onconnection = function sockscopeAccept(err, clientHandle) {
          if (!stopped && clientHandle) {
            try {
              patchHandle(clientHandle);
              opened(clientHandle.fd, site);
            } catch (e) { stop(e); }
          }
          return accept.apply(this, arguments);
        };
        wrappedAccepts.add(onconnection);
        handle.onconnection = onconnection;
      }
    } catch (e) { stop(e); }
  };
  net.Server.prototype.listen = function listen_() {
    if (stopped) return listen.apply(this, arguments);
    let site = NO_SITE;
    try { site = captureSite(listen_); } catch (e) { stop(e); }
    const result = listen.apply(this, arguments);
    if (this._handle && this._handle.fd >= 0) recordListening(this, site);
    else if (!stopped) {
      if (!listenSites.has(this)) {
        this.prependOnceListener('listening', () => {
          const latest = listenSites.get(this);
          listenSites.delete(this);
          recordListening(this, latest);
        });
      }
      listenSites.set(this, site);
    }
    return result;
  };

  const stateOf = (socket) => {
    const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
    return key ? socket[key] : undefined;
  };
  const bind = dgram.Socket.prototype.bind;
  dgram.Socket.prototype.bind = function bind_() {
    if (!stopped) {
      try {
        const state = stateOf(this);
        const handle = state && state.handle;
        if (handle && !(handle.fd >= 0)) {
          patchHandle(handle);
          awaiting.set(handle, captureSite(bind_));
        }
      } catch (e) { stop(e); }
    }
    return bind.apply(this, arguments);
  };
})();
