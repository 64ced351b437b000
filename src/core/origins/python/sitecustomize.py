# SockScope's Python socket-origins recorder. `sockscope run` puts this folder first on PYTHONPATH
# (src/core/origins/inject.ts), so Python's site module imports it at start; then it runs the
# sitecustomize the user's path would have run (found on sys.path without this folder), so that one
# keeps working. Standard library only, plus an optional accelerator: _sockscope_stack (C, beside this
# file, built for one interpreter) builds the same stack key in C and, for a stack seen before, the same
# record (see __init__ near the end); without it both are built here.
#
# It records the Python stack when a socket.socket gets its descriptor: created (socket(), also
# create_connection, socketpair, fromfd, asyncio…) or accepted (socket.accept wraps the new descriptor
# in a socket.socket too), and when one is really closed (socket._real_close: close(), with, the last
# makefile() reader). A socket that only changes hands keeps its site: detach() leaves the descriptor
# open, and wrapping a descriptor we already know (ssl.wrap_socket, detach then adopt) is no new
# socket. Sockets closed by the garbage collector are not seen closing; their descriptor's next owner
# replaces the record, and SockScope checks the inode, so no socket is attributed to an old site.
# Frames of the standard library (sysconfig's stdlib paths, not site-packages), frozen modules and this
# file are left out: frame 0 is the innermost frame of the program.
#
# Cost: the hot path walks the frames (sys._getframe, capped; in C with the accelerator) to a key of
# code object ids and instruction offsets (nested tuples, no test per frame); only a key not seen before gets its line
# numbers and a site, written once. When socket.py's __init__ and _real_close are the known ones
# (checked at start), the wrappers do their work themselves instead of calling them. Opens are queued; a close only marks its record, and is queued only
# when the socket's O line was written. Batches are written at most 200 ms late by a daemon thread that
# exists only while the program makes sockets (and at exit through atexit, and before a fork), or by the
# program's own thread every 128 sockets, so that the records of short-lived sockets die young (the
# garbage collector's older generations never see them). In a batch a socket opened and closed again is
# only counted (in C code: map, compress); a socket still open gets its inode (fstat) then, when its
# socket object still holds the descriptor. A socket written and then closed unseen (by the garbage
# collector) gets its C line when its descriptor gets a new O line. Trade-off of the batching: what is
# written is in the mapped file at once and survives a kill, but a program killed (SIGKILL, os._exit)
# loses the events not yet written: at most its last 200 ms (the counts of sockets opened and closed
# again are left to the writer thread); a normal exit writes everything.
#
# Output: <records dir>/<pid>.stream in the line format of src/core/origins/streamFile.ts (keep in
# step). The file is preallocated to its cap ($SOCKSCOPE_ORIGINS_LOG_BYTES, 4 MiB) and mapped, so that
# a batch is one copy into memory that the reader sees at once; when it is full it is rewritten
# compactly (sites, counts, live descriptors). A forked child starts its own file from its parent's
# live table. The records folder is the native recorder's: $SOCKSCOPE_ORIGINS_DIR,
# $XDG_RUNTIME_DIR/sockscope or /tmp/sockscope-<uid>, mode 0700.


def _sockscope_origins():
    import sys
    if not sys.platform.startswith('linux'):
        return
    import os
    import mmap
    import socket
    import sysconfig
    import threading
    import time
    import json
    import atexit
    import itertools
    import operator
    import stat as stat_module
    import weakref

    max_sites = 4096
    max_frames = 12
    stack_limit = 32  # frames looked at above the socket's creation (its site: the program's among them)
    batch = 128  # sockets queued at most before the program's thread writes them itself
    try:
        cap = int(os.environ.get('SOCKSCOPE_ORIGINS_LOG_BYTES') or 0) or (4 << 20)
    except ValueError:
        cap = 4 << 20
    cap = max(cap, 4096)

    def warn(message):
        try:
            sys.stderr.write('sockscope-origins: %s; origins not recorded\n' % message)
        except Exception:
            pass

    env = os.environ
    if env.get('SOCKSCOPE_ORIGINS_DIR'):
        folder = env['SOCKSCOPE_ORIGINS_DIR']
    elif env.get('XDG_RUNTIME_DIR', '').startswith('/'):
        folder = os.path.join(env['XDG_RUNTIME_DIR'], 'sockscope')
    else:
        folder = '/tmp/sockscope-%d' % os.geteuid()
    def folder_problem(st, me):
        # In the words of src/core/origins/recordsDir.ts's recordsDirProblem (keep the recorders in step).
        facts = 'owner uid %d, mode 0%03o' % (st.st_uid, st.st_mode & 0o777)
        what = 'a symbolic link' if stat_module.S_ISLNK(st.st_mode) else None if stat_module.S_ISDIR(st.st_mode) else 'not a directory'
        if what:
            return '%s is %s (%s); set SOCKSCOPE_ORIGINS_DIR to a folder of your own' % (folder, what, facts)
        if st.st_uid != me:
            return '%s belongs to another user (%s; you are uid %d); set SOCKSCOPE_ORIGINS_DIR to a folder of your own' % (folder, facts, me)
        if st.st_mode & 0o077:
            return '%s may be read or written by others (%s); run `chmod 700 %s`, or set SOCKSCOPE_ORIGINS_DIR to a folder of your own' % (folder, facts, folder)
        return None

    try:
        try:
            os.makedirs(folder, mode=0o700)
        except FileExistsError:
            pass
        problem = folder_problem(os.lstat(folder), os.geteuid())
        if problem:
            warn('refusing the origins folder: %s' % problem)
            return
    except OSError as e:
        warn('cannot use %s: %s' % (folder, e))
        return

    def start_ticks():
        try:
            with open('/proc/self/stat', 'rb') as f:
                text = f.read().decode('latin-1')
            return text[text.rindex(')') + 2:].split(' ')[19]
        except (OSError, ValueError, IndexError):
            return ''

    here = os.path.abspath(__file__)
    start_cwd = os.getcwd()
    runtime_dirs = []
    for key in ('stdlib', 'platstdlib'):
        p = sysconfig.get_paths().get(key)
        if p:
            runtime_dirs.append(os.path.join(os.path.realpath(p), ''))
            runtime_dirs.append(os.path.join(os.path.abspath(p), ''))
    program_dirs = []
    for key in ('purelib', 'platlib'):
        p = sysconfig.get_paths().get(key)
        if p:
            program_dirs.append(os.path.join(os.path.realpath(p), ''))
            program_dirs.append(os.path.join(os.path.abspath(p), ''))
    runtime_dirs = tuple(runtime_dirs)
    program_dirs = tuple(program_dirs)

    lock = threading.RLock()
    state = {}
    site_ids = {}  # (id(code), line, …) of the program's frames -> site
    fast_ids = {}  # (id(code), instruction offset, …) -> site: the same, without computing line numbers
    site_lines = []
    new_sites = []  # S lines not yet written
    opens = []
    closes = []
    # A socket's record: [fd, site, time (s), thread, weak reference to its socket object, inode, closed].
    # inode: None until a flush has seen the open, then the inode written in its O line, or -1 when it
    # was only counted (or its C line is written). live: fd -> the record of the socket that has it now.
    live = {}
    # fd -> the record whose O line was written last for it, until its C line is: when the descriptor
    # gets a new O line while that record has none, its socket lost it unseen (the garbage collector
    # closed it) and its C line comes first.
    written_fd = {}
    # Since the last write: the records of sockets opened (pending), and of sockets closed whose O line
    # was written (closing; the close of one not yet written only marks its record closed). Appended
    # without the lock (a list's append is atomic); the writer takes the lock.
    pending = []
    closing = []
    brief = {}  # site -> sockets opened and closed again between flushes, counted but not yet written (N)
    flusher = [None]  # (thread, its stop event) while one runs
    on = True  # False once the recorder has stopped
    # The wrappers call kick() when len(pending) >= limit: 0 while no writer thread runs (the first
    # socket starts one), then `batch` (the program's own thread writes them: the records of sockets
    # opened and closed again are then freed young, not left for the garbage collector's older
    # generations to go through; see flush for what it leaves to the writer thread).
    limit = 0
    missing = object()
    # id(code object) -> absolute file name, or None for the runtime's code. Keyed by id: a code
    # object's own hash is computed afresh each time from its contents. The objects are kept alive in
    # `codes`, so an id is never reused for another code object.
    code_file = {}
    codes = []

    def program_file(code):
        f = code_file.get(id(code), missing)
        if f is not missing:
            return f
        codes.append(code)
        name = code.co_filename
        if not name or name.startswith('<'):
            f = None
        else:
            full = name if os.path.isabs(name) else os.path.join(start_cwd, name)
            if full == here or full.endswith(os.sep + 'sitecustomize.py') and os.path.dirname(full) == os.path.dirname(here):
                f = None
            elif full.startswith(runtime_dirs) and not full.startswith(program_dirs):
                f = None
            else:
                f = full
        code_file[id(code)] = f
        return f

    def open_file(pid, initial):
        path = os.path.join(folder, '%d.stream' % pid)
        tmp = path + '.tmp'
        data = initial.encode('utf-8', 'replace')
        size = max(cap, 2 * len(data))
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        mm = None
        try:
            try:
                os.ftruncate(fd, size)
                mm = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
            finally:
                os.close(fd)
            mm[0:len(data)] = data
            os.rename(tmp, path)
        except BaseException:
            if mm is not None:
                mm.close()
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        state['mm'] = mm
        state['size'] = size
        state['pos'] = len(data)
        state['pid'] = pid

    def header(pid):
        return 'SSSTREAM\t1\tpython\t%d\t%s\n' % (pid, start_ticks())

    def snapshot(pid):
        # Sites, counts of what is no longer live, the live sockets already written (a socket still
        # pending is written by the next flush). The new file holds every site: none is pending, nor any
        # count.
        del new_sites[:]
        for site, k in brief.items():
            opens[site] += k
            closes[site] += k
        brief.clear()
        lines = [header(pid)]
        lines.extend(site_lines)
        written = [(fd, r) for fd, r in live.items() if r[5] is not None and not r[6]]
        live_by_site = {}
        for (_fd, r) in written:
            live_by_site[r[1]] = live_by_site.get(r[1], 0) + 1
        for i in range(len(site_lines)):
            lines.append('N\t%d\t%d\t%d\n' % (i, opens[i] - live_by_site.get(i, 0), closes[i]))
        if state.get('dropped'):
            lines.append('D\t%d\n' % state['dropped'])
        for fd, r in written:
            lines.append('O\t%d\t%d\t%d\t%d\t%d\n' % (fd, r[5], r[1], int(r[2] * 1000), r[3]))  # r[3]: its thread
        return ''.join(lines)

    def stop(error):
        # The recorder failed (its file could not be rewritten: disk full, permissions…): it stops for
        # good, says so once, and the program goes on. Afterwards the wrappers only call the originals.
        nonlocal on
        if state.get('stopped'):
            return
        state['stopped'] = True
        state['size'] = 0
        on = False
        del pending[:]
        del closing[:]
        live.clear()
        warn('recording stopped: %s' % (error,))
        mm = state.get('mm')
        if mm is not None:
            try:
                mm.close()
            except Exception:
                pass

    try:
        open_file(os.getpid(), header(os.getpid()))
    except OSError as e:
        warn('cannot write in %s: %s' % (folder, e))
        return

    def rotate():
        # The file is full: rewrite it from the state (which holds the events being written). The new
        # file is made whole before the old one is let go; if it cannot be, recording stops.
        if state.get('stopped'):
            return
        old = state['mm']
        try:
            open_file(state['pid'], snapshot(state['pid']))
        except Exception as e:
            state['mm'] = old
            stop(e)
            return
        old.close()

    fstat = os.fstat
    is_socket = stat_module.S_ISSOCK
    base_fileno = socket._socket.socket.fileno
    get1 = operator.itemgetter(1)
    not_ = operator.not_
    compress = itertools.compress
    flushing = [False]

    def flush(counts=True):
        # Writes what happened since the last flush, in one copy into the mapped file. A socket opened
        # and closed again in between is only counted (an N line; counts=False, the program's own
        # thread writing a full queue, leaves those for the writer thread). The others get their inode
        # now, when their socket object still holds the descriptor (then it is still theirs: its close
        # would have been seen); a socket that lost it behind the recorder's back (closed by the garbage
        # collector, detached and closed) is counted and not written, never guessed.
        with lock:
            if not state['size']:
                del pending[:]
                del closing[:]
                return
            if flushing[0]:  # a signal handler's socket while this thread writes: the next flush has it
                return
            flushing[0] = True
            try:
                parts = [s.encode('utf-8', 'replace') for s in new_sites]
                del new_sites[:]
                # The opens first, then the closes: a close queued after an open of the same descriptor
                # is that socket's own (its O line is written now, its C line in the next batch), and
                # every close in this batch is of a socket written before, so its C line goes first.
                n = len(pending)
                batch = pending[:n]
                del pending[:n]
                n = len(closing)
                done = closing[:n]
                del closing[:n]
                for r in done:
                    if r[5] > 0:
                        r[5] = -1
                        site = r[1]
                        if site >= 0:
                            closes[site] += 1
                        parts.append(b'C\t%d\t%d\n' % (r[0], site))
                        if written_fd.get(r[0]) is r:
                            del written_fd[r[0]]
                # Sockets closed already (most of them): counted. The closed marks are read once, so
                # every socket is either counted here or looked at below.
                closed = [r[6] for r in batch]
                if all(closed):  # the usual batch: nothing left to look at
                    sites = [r[1] for r in batch]
                    unclosed = ()
                else:
                    sites = list(compress(map(get1, batch), closed))
                    unclosed = compress(batch, map(not_, closed))
                for site in set(sites):
                    if site >= 0:
                        brief[site] = brief.get(site, 0) + sites.count(site)
                for r in unclosed:
                    fd = r[0]
                    inode = None
                    owner = r[4]()
                    if owner is not None and base_fileno(owner) == fd:
                        try:
                            st = fstat(fd)
                            if is_socket(st.st_mode):
                                inode = st.st_ino
                        except OSError:
                            pass
                    del owner
                    # The close wrapper marks a record before the descriptor is closed, so one still
                    # unmarked once fstat is done had its descriptor then; one marked since then saw
                    # no inode (r[5] None), so queued no close: it is counted.
                    if inode is not None and not r[6]:
                        r[5] = inode
                        old = written_fd.get(fd)
                        if old is not None and old[5] > 0:
                            old[5] = -1
                            old[6] = True
                            if old[1] >= 0:
                                closes[old[1]] += 1
                            parts.append(b'C\t%d\t%d\n' % (fd, old[1]))
                        written_fd[fd] = r
                        site = r[1]
                        if site >= 0:
                            opens[site] += 1
                        parts.append(b'O\t%d\t%d\t%d\t%d\t%d\n' % (fd, inode, site, int(r[2] * 1000), r[3]))
                        continue
                    # Left in live (its descriptor's next owner replaces it): the wrappers change live
                    # without the lock.
                    r[6] = True
                    r[5] = -1
                    site = r[1]
                    if site >= 0:
                        brief[site] = brief.get(site, 0) + 1
                if counts and brief:
                    for site, k in brief.items():
                        opens[site] += k
                        closes[site] += k
                        parts.append(b'N\t%d\t%d\t%d\n' % (site, k, k))
                    brief.clear()
                if len(parts) == 0:
                    return
                data = b''.join(parts)
                pos = state['pos']
                end = pos + len(data)
                if end <= state['size']:
                    state['pos'] = end
                    state['mm'][pos:end] = data
                else:
                    rotate()  # the snapshot holds these events already
            except Exception as e:
                stop(e)
            finally:
                flushing[0] = False

    def flusher_loop(stopping):
        # Writes every 200 ms while the program makes or closes sockets; gone after a second without any,
        # so an idle program has no extra thread.
        idle = 0
        me = flusher[0]
        while not stopping.wait(0.2):
            busy = len(pending) > 0 or len(closing) > 0 or len(brief) > 0
            flush()
            idle = 0 if busy else idle + 1
            if idle >= 5 or not state['size']:
                break
        nonlocal limit
        with lock:
            if flusher[0] is me:
                flusher[0] = None
                limit = 0
        if (len(pending) or len(closing) or brief) and not stopping.is_set():
            start_flusher()  # something came in while this one was leaving

    def start_flusher():
        nonlocal limit
        with lock:
            if flusher[0] is not None or not state['size']:
                return
            stopping = threading.Event()
            t = threading.Thread(target=flusher_loop, args=(stopping,), name='sockscope-origins', daemon=True)
            flusher[0] = (t, stopping)
            limit = batch
        try:
            t.start()
        except Exception as e:  # no thread to be had (the interpreter is shutting down…)
            with lock:
                if flusher[0] is not None and flusher[0][0] is t:
                    flusher[0] = None
                    limit = 0
            if not isinstance(e, RuntimeError):
                raise

    def kick():
        # The queue passed the limit: start the writer thread, or write now when it cannot keep up.
        if flusher[0] is None:
            start_flusher()
        else:
            flush(False)

    def stop_flusher():
        f = flusher[0]
        if f is None:
            return
        f[1].set()
        if f[0] is not threading.current_thread():
            f[0].join(1.0)

    def at_exit():
        # Everything still pending is written before the interpreter goes away (the recorder's atexit
        # handler was registered first, so it runs last: after the program's own handlers).
        try:
            stop_flusher()
        except Exception:
            pass
        flush()

    atexit.register(at_exit)

    def before_fork():
        # The parent's records are written and its writer thread stopped (none is copied into the child;
        # a process with threads is warned against forking in Python 3.12+). It starts again when needed.
        try:
            stop_flusher()
        except Exception:
            pass
        flush()

    def after_fork_in_child():
        # Another thread of the parent may have held the lock at fork: it does not exist in the child,
        # so the lock would stay taken for ever. The child gets a new one (the state it guarded may be
        # half updated: at worst a record is wrong, the program is not stopped), and no writer thread.
        nonlocal lock, limit
        lock = threading.RLock()
        flusher[0] = None
        flushing[0] = False  # a flush under way in another thread of the parent stays in the parent
        limit = 0
        try:
            local.__dict__.clear()
            if state.get('stopped'):
                return
            old = state['mm']
            try:
                open_file(os.getpid(), snapshot(os.getpid()))
            except Exception as e:
                state['mm'] = old
                stop(e)
                return
            old.close()
            if len(pending) or len(closing):
                start_flusher()
        except Exception as e:
            stop(e)

    os.register_at_fork(before=before_fork, after_in_child=after_fork_in_child)

    getframe = sys._getframe

    def known_originals(init, real_close):
        """(_socket.socket.__init__, AF_INET, SOCK_STREAM) of socket.py's module when init and
        real_close are socket.py's own (see below), else None. The three are read once, here: module
        constants that the original looks up at each call."""
        reference = (
            'class socket(_socket.socket):\n'
            '    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):\n'
            '        if fileno is None:\n'
            '            if family == -1:\n'
            '                family = AF_INET\n'
            '            if type == -1:\n'
            '                type = SOCK_STREAM\n'
            '            if proto == -1:\n'
            '                proto = 0\n'
            '        _socket.socket.__init__(self, family, type, proto, fileno)\n'
            '        self._io_refs = 0\n'
            '        self._closed = False\n'
            '\n'
            '    def _real_close(self, _ss=_socket.socket):\n'
            '        _ss.close(self)\n')
        try:
            codes = {}
            for c in compile(reference, socket.__file__ or 'socket.py', 'exec').co_consts:
                if hasattr(c, 'co_code') and c.co_name == 'socket':
                    for m in c.co_consts:
                        if hasattr(m, 'co_code'):
                            codes[m.co_name] = m

            def same(fn, ref):
                code = getattr(fn, '__code__', None)
                if code is None or fn.__closure__ is not None or fn.__kwdefaults__ is not None:
                    return False
                for a in ('co_code', 'co_names', 'co_varnames', 'co_freevars', 'co_cellvars', 'co_argcount',
                          'co_posonlyargcount', 'co_kwonlyargcount', 'co_nlocals', 'co_flags'):
                    if getattr(code, a) != getattr(ref, a):
                        return False
                typed = lambda consts: [(type(c), c) for c in consts]  # 0 and False are equal, not the same
                return typed(code.co_consts) == typed(ref.co_consts)

            g = init.__globals__
            ss = g.get('_socket')
            if ss is not socket._socket or real_close.__globals__ is not g:
                return None
            if not (same(init, codes['__init__']) and same(real_close, codes['_real_close'])):
                return None
            if typed_defaults(init.__defaults__) != typed_defaults((-1, -1, -1, None)):
                return None
            d = real_close.__defaults__
            if d is None or len(d) != 1 or d[0] is not ss.socket:
                return None
            return (ss.socket.__init__, g['AF_INET'], g['SOCK_STREAM'])
        except Exception:
            return None

    def typed_defaults(values):
        return None if values is None else [(type(v), v) for v in values]

    def new_site(fast_key, f):
        # A stack not seen before (fast_key: the window's frames as code object ids and instruction
        # offsets): the program's frames in it with their line numbers; a site for each distinct one.
        # Every code object in the window is kept alive (program_file), so that the ids in fast_key are
        # never those of another code object later.
        with lock:
            site = fast_ids.get(fast_key)
            if site is not None:
                return site
            frames = []
            key = []
            for _ in window:
                code = f.f_code
                pf = program_file(code)
                if pf is not None and len(frames) < max_frames:
                    line = f.f_lineno
                    key.append(id(code))
                    key.append(line)
                    frames.append([pf, line, getattr(code, 'co_qualname', None) or code.co_name])
                f = f.f_back
                if f is None:
                    break
            if not frames:
                site = -1  # no frame of the program's (a socket made by the runtime itself)
            else:
                key = tuple(key)
                site = site_ids.get(key)
                if site is None:
                    if len(site_lines) >= max_sites:
                        state['dropped'] = state.get('dropped', 0) + 1
                        return -1
                    site = len(site_lines)
                    line = 'S\t%d\t%s\n' % (site, json.dumps(frames))
                    site_lines.append(line)
                    new_sites.append(line)
                    opens.append(0)
                    closes.append(0)
                    site_ids[key] = site
            if len(fast_ids) < 16 * max_sites:
                fast_ids[fast_key] = site
            return site

    get_native_id = getattr(threading, 'get_native_id', threading.get_ident)  # 3.8+
    now = time.time  # seconds as a float (cheaper than time_ns's large int), in ms when written
    cls = socket.socket
    original_init = cls.__init__
    original_real_close = cls._real_close
    # When socket.py's __init__ and _real_close are exactly the known ones (3.7+: their code is what
    # compiling the same statements here gives, their defaults and globals the module's), the wrappers
    # do their work themselves (the C pieces they call), not through a Python call of theirs: one frame
    # less per socket and per close. Anything else (another version's, a patched one) is called as is.
    inline = known_originals(original_init, original_real_close)
    base_init, family_default, type_default = inline or (None, None, None)
    fast_get = fast_ids.get
    window = range(stack_limit)
    rest = range(stack_limit - 1)
    local = threading.local()  # the thread's native id, cached (a forked child's main thread gets a new one below)
    ref = weakref.ref
    append = pending.append
    closing_append = closing.append

    # socket.accept's frame (the runtime's, so never part of a site) is keyed as one constant: no code
    # object id nor instruction offset to compute for the caller of every accepted socket.
    accept_code = getattr(getattr(cls, 'accept', None), '__code__', None)
    if accept_code is not None and program_file(accept_code) is not None:
        accept_code = None
    accept_key = (None, -1)  # no code object's id is None

    def python_key(f):
        # The stack key from frame f out: the hot path's without the accelerator, and what the accelerator's
        # key must equal (load_native checks it at start).
        code = f.f_code
        key = (id(code), f.f_lasti) if code is not accept_code else accept_key
        f = f.f_back
        if f is not None:
            for _ in rest:
                key = (key, id(f.f_code), f.f_lasti)
                f = f.f_back
                if f is None:
                    break
        return key

    def load_native():
        # The optional accelerator _sockscope_stack (its C source is beside this file): the same key,
        # walked in C. Built for one interpreter and named with its EXT_SUFFIX, so another Python finds
        # none. $SOCKSCOPE_ORIGINS_PY_NATIVE: 0 leaves it out; 1 says on stderr why it is not used;
        # unset: used when it can be, silently. Taken only when its key is the Python walk's on this
        # stack (it must never change what is recorded); else, or when it cannot be loaded, the frames
        # are walked in Python. Returns (its record function or None, why not): record walks the key,
        # looks it up and makes the record (see __init__); key, the walk alone, is checked here.
        if env.get('SOCKSCOPE_ORIGINS_PY_NATIVE', '') == '0':
            return None, None
        try:
            import importlib.machinery
            import importlib.util
            folder_here = os.path.dirname(here)
            for suffix in importlib.machinery.EXTENSION_SUFFIXES:
                path = os.path.join(folder_here, '_sockscope_stack' + suffix)
                if os.path.exists(path):
                    break
            else:
                return None, 'no _sockscope_stack%s in %s' % (importlib.machinery.EXTENSION_SUFFIXES[0], folder_here)
            spec = importlib.util.spec_from_file_location('_sockscope_stack', path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            key = module.key
            record = module.record
            module.bind(fast_ids, live, pending, accept_code, accept_key, stack_limit)

            def probe():
                # fast_ids is empty yet: record() records nothing and gives its key.
                f = getframe(1)
                return [key(f, accept_code, accept_key, stack_limit), record(f, None, -1, 0)], python_key(f)

            def nested(n):
                return nested(n - 1) if n else probe()
            for natives, walked in (probe(), nested(stack_limit + 3)):
                for native in natives:
                    if native != walked:
                        return None, '%s gives another stack key than the Python walk' % path
            if live or pending:
                return None, '%s recorded a socket while checked' % path
            sys.modules.setdefault('_sockscope_stack', module)  # the one in use (tests look for it)
            if env.get('SOCKSCOPE_ORIGINS_PY_NATIVE_TEST') == 'raise-once':
                # Test hook: the accelerator's first call raises (native_failed then leaves it).
                def failing(*args):
                    raise RuntimeError('raise-once test hook')
                return failing, None
            return record, None
        except Exception as e:
            return None, 'cannot load _sockscope_stack: %s' % (e,)

    native_record, why_not = load_native()
    if why_not and env.get('SOCKSCOPE_ORIGINS_PY_NATIVE', '') == '1':
        try:
            sys.stderr.write('sockscope-origins: stacks walked in Python: %s\n' % why_not)
        except Exception:
            pass

    def native_failed(error, sock, f):
        # Recording a socket raised while the accelerator is in use (it raised: out of memory, a frame it
        # could not get…): the stacks are walked in Python from now on, and this socket is recorded
        # again that way (its record, if one was made, replaced); the recorder stops only if that fails
        # too. Not a try around the accelerator's call in the wrappers: that costs instructions at each
        # socket on 3.11 (measured).
        nonlocal native_record
        native_record = None
        if env.get('SOCKSCOPE_ORIGINS_PY_NATIVE', '') == '1':
            try:
                sys.stderr.write('sockscope-origins: stacks walked in Python from now on: the accelerated path raised %s: %s\n' % (error.__class__.__name__, error))
            except Exception:
                pass
        fd = base_fileno(sock)
        if fd < 0:
            return
        queue(sock, fd, python_key(f), f)

    def queue(sock, fd, key, f):
        # The socket's record, made in Python: its site by the stack's key (new_site for a key not seen
        # before, from frame f), time, thread; queued as pending (a full batch is written without it).
        site = fast_get(key)
        if site is None:
            site = new_site(key, f)
        try:
            tid = local.tid
        except AttributeError:
            tid = local.tid = get_native_id()
        r = [fd, site, now(), tid, ref(sock), None, False]
        live[fd] = r
        if len(pending) >= limit:
            kick()
        append(r)

    def same_descriptor(known, fd):
        """Whether a descriptor being wrapped again (socket(fileno=fd)) is still the one of record known."""
        if known[5] is not None:
            try:
                return fstat(fd).st_ino == known[5]
            except OSError:
                return False
        owner = known[4]()
        return owner is not None and base_fileno(owner) in (fd, -1)  # -1: detached, so handed over

    # The hot path. With the accelerator, a stack seen before is recorded by one C call (native_record);
    # otherwise the stack's key (every frame of the window, the runtime's too, as nested tuples: (code id,
    # instruction offset) for the innermost, then (key, code id, instruction offset); socket.accept's frame
    # is accept_key) is walked in C or in Python, and queue() makes the record: no test per frame, no line
    # numbers; only a key not seen before is looked at closely (new_site). Times are kept as time.time()
    # floats and turned into ms when written.
    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
        if inline is None:
            original_init(self, family, type, proto, fileno)
        else:  # what original_init does (known_originals)
            if fileno is None:
                if family == -1:
                    family = family_default
                if type == -1:
                    type = type_default
                if proto == -1:
                    proto = 0
            base_init(self, family, type, proto, fileno)
            self._io_refs = 0
            self._closed = False
        if not on:
            return
        try:
            fd = base_fileno(self)
            if fd < 0:
                return
            if fileno is not None:
                known = live.get(fd)
                if known is not None and not known[6] and same_descriptor(known, fd):
                    known[4] = ref(self)  # a descriptor we know changing hands (ssl wrapping, detach then adopt)
                    return
            if native_record is not None:
                # Known stack: recorded in C, as the lines below would (None), or recorded but not
                # queued as pending holds a batch (the record). New stack: its key.
                key = native_record(getframe(1), self, fd, limit)
                if key is None:
                    return
                if key.__class__ is list:
                    kick()
                    append(key)
                    return
                queue(self, fd, key, getframe(1))
            else:
                f = getframe(1)
                queue(self, fd, python_key(f), f)
        except Exception as e:  # the recorder's own failure never reaches the program
            if native_record is None:
                stop(e)
            else:
                try:
                    native_failed(e, self, getframe(1))
                except Exception as e:
                    stop(e)

    def _real_close(self, _ss=socket._socket.socket):
        # The original close always runs, whatever happens to the recorder's bookkeeping.
        try:
            r = live.pop(base_fileno(self), None)  # -1 (detached) is never a key; live is empty once stopped
            if r is not None and not r[6]:
                r[6] = True  # before the descriptor is closed (see flush)
                if r[5] is not None:  # its O line was written (else a flush counts it)
                    closing_append(r)
        except Exception as e:
            stop(e)
        finally:
            if inline is None:
                original_real_close(self, _ss)
            else:
                _ss.close(self)  # what original_real_close does (known_originals)

    __init__.__doc__ = original_init.__doc__
    cls.__init__ = __init__
    cls._real_close = _real_close


def _sockscope_chain():
    """Runs the sitecustomize that Python would have imported without this folder on its path."""
    import os
    import sys
    import importlib.machinery
    import importlib.util
    here = os.path.dirname(os.path.abspath(__file__))
    path = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec('sitecustomize', path)
    if spec is None or spec.origin is None or os.path.dirname(os.path.abspath(spec.origin)) == here:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules['sitecustomize'] = module
    spec.loader.exec_module(module)


try:
    _sockscope_origins()
except Exception as _e:  # never stop the program for the recorder's sake
    import sys as _sys
    _sys.stderr.write('sockscope-origins: %s; origins not recorded\n' % (_e,))
_sockscope_chain()
