/*
 * _sockscope_stack: the optional accelerator of SockScope's Python origins recorder (sitecustomize.py
 * beside it). scripts/build.mjs compiles it against the python3 on PATH and names it with that
 * interpreter's EXT_SUFFIX, so another Python version does not find it and the recorder walks the
 * frames in Python, as without it. It changes nothing that is recorded: it builds the very key the
 * recorder's Python walk builds (see __init__ in sitecustomize.py; keep the two in step), only without
 * running Python bytecode for each frame. Public C API only.
 *
 * key(frame, accept_code, accept_key, depth): the stack key from `frame` out (the recorder passes
 * sys._getframe(1): taking the frame in C with PyEval_GetFrame would make a frame object for the
 * recorder's own wrapper at each socket), over at most `depth` frames:
 *     innermost: (id(code), f_lasti), or accept_key when its code object is accept_code;
 *     then for each frame further out: (key so far, id(code), f_lasti).
 * The frames are those of frame.f_back (PyFrame_GetBack), the code objects and offsets those of
 * frame.f_code and frame.f_lasti, so the key equals the Python walk's on every version (3.8-3.13).
 *
 * bind(...) then record(frame, sock, fd, limit): key() and what the recorder's Python code does with a
 * key it knows (the fast_ids lookup, the record, live[fd], pending), at once: see record() below.
 * Measured and not kept: the close's bookkeeping (live.pop, the closed mark, closing) done here too gave
 * no fewer instructions.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

#if PY_VERSION_HEX < 0x03080000
#error "_sockscope_stack needs Python 3.8 or later"
#endif
/* A free-threaded build would turn the GIL back on to load a module that does not declare itself safe
 * without it, changing how the program runs; this one keeps state (the key slots) that the GIL guards.
 * Not built there: the recorder walks in Python. */
#ifdef Py_GIL_DISABLED
#error "_sockscope_stack is not built for free-threaded Python"
#endif

/* The frame's caller, a new reference; NULL at the outermost frame, or with an error set (3.11+ may make
 * the caller's frame object there, and fail: MemoryError). */
static PyFrameObject *back_of(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x03090000
    return PyFrame_GetBack(f);
#else
    Py_XINCREF(f->f_back);
    return f->f_back;
#endif
}

/* The frame's code object, a new reference. */
static PyCodeObject *code_of(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x03090000
    return PyFrame_GetCode(f);
#else
    Py_INCREF(f->f_code);
    return f->f_code;
#endif
}

/* frame.f_lasti as Python shows it: a byte offset (-1 before the first instruction). */
static long lasti_of(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x030B0000
    return PyFrame_GetLasti(f);
#elif PY_VERSION_HEX >= 0x030A0000
    return f->f_lasti < 0 ? -1 : (long)f->f_lasti * (long)sizeof(_Py_CODEUNIT);
#else
    return f->f_lasti;
#endif
}

/* (prefix, id(code), f_lasti), or (id(code), f_lasti) when prefix is NULL; steals prefix. */
static PyObject *step(PyObject *prefix, uintptr_t code, uintptr_t lasti)
{
    PyObject *id = PyLong_FromVoidPtr((void *)code);
    PyObject *offset = PyLong_FromLong((long)lasti);
    PyObject *out = NULL;
    if (id != NULL && offset != NULL)
        out = prefix != NULL ? PyTuple_Pack(3, prefix, id, offset) : PyTuple_Pack(2, id, offset);
    Py_XDECREF(prefix);
    Py_XDECREF(id);
    Py_XDECREF(offset);
    return out;
}

/* The key of a walk: a pure function of the code objects' addresses, the offsets, and accept_code's
 * address and accept_key (which the key then holds). */
static PyObject *key_of(const uintptr_t *raw, Py_ssize_t n, PyObject *accept_code, PyObject *accept_key)
{
    PyObject *key;
    if (raw[0] == (uintptr_t)accept_code) {
        Py_INCREF(accept_key);
        key = accept_key;
    } else {
        key = step(NULL, raw[0], raw[1]);
    }
    for (Py_ssize_t i = 1; key != NULL && i < n; i++)
        key = step(key, raw[2 * i], raw[2 * i + 1]);
    return key;
}

/* Walks at most depth frames from first out (frame.f_back), writing each one's code object address
 * and f_lasti into raw; returns how many, or -1 with an error set. */
static Py_ssize_t walk(PyFrameObject *first, Py_ssize_t depth, uintptr_t *raw)
{
    PyFrameObject *f = first;
    Py_ssize_t n = 0;
    Py_INCREF(f);
    for (;;) {
        PyCodeObject *code = code_of(f);
        raw[2 * n] = (uintptr_t)code;
        Py_DECREF(code); /* only its address is kept */
        raw[2 * n + 1] = (uintptr_t)lasti_of(f);
        if (++n >= depth)
            break;
        PyFrameObject *next = back_of(f);
        Py_DECREF(f);
        f = next;
        if (f == NULL) {
            if (PyErr_Occurred())
                return -1;
            break;
        }
    }
    Py_XDECREF(f);
    return n;
}

/* The keys of recent walks, by their raw walk: a stack seen again gets the same key object, so that
 * no tuple or int is made for it and the dict lookup that follows finds its entry by identity, without
 * comparing the nested tuples. Sound because a key is a pure function of what a slot compares (the raw
 * walk, accept_code's address and accept_key, which a key using it holds alive). Slots are written
 * only after the key is made (making it may run a garbage collection, and Python code in it may call
 * key() again). The GIL guards them. */
#define MAX_CACHED 64
#define SLOTS 64
struct slot {
    PyObject *key;
    PyObject *accept_code; /* compared by address only */
    PyObject *accept_key;  /* compared by address; alive while key uses it */
    Py_ssize_t n;
    uintptr_t raw[2 * MAX_CACHED];
};
static struct slot slots[SLOTS];

static PyObject *build_key(PyObject *first, PyObject *accept_code, PyObject *accept_key, Py_ssize_t depth)
{
    if (!PyFrame_Check(first)) {
        PyErr_SetString(PyExc_TypeError, "key(): a frame object expected");
        return NULL;
    }
    uintptr_t small[2 * MAX_CACHED];
    uintptr_t *raw = small;
    if (depth > MAX_CACHED) {
        raw = PyMem_Malloc(sizeof(uintptr_t) * 2 * (size_t)depth);
        if (raw == NULL)
            return PyErr_NoMemory();
    }
    Py_ssize_t n = walk((PyFrameObject *)first, depth, raw);
    if (n < 0) {
        if (raw != small)
            PyMem_Free(raw);
        return NULL;
    }
    if (raw == small) {
        uintptr_t h = (uintptr_t)n;
        for (Py_ssize_t i = 0; i < 2 * n; i++)
            h = (h ^ raw[i]) * (uintptr_t)0x9E3779B97F4A7C15ull;
        struct slot *s = &slots[(h >> 32 ^ h) % SLOTS];
        if (s->key != NULL && s->n == n && s->accept_code == accept_code && s->accept_key == accept_key &&
            memcmp(s->raw, raw, sizeof(uintptr_t) * 2 * (size_t)n) == 0) {
            Py_INCREF(s->key);
            return s->key;
        }
        PyObject *key = key_of(raw, n, accept_code, accept_key);
        if (key != NULL) {
            PyObject *old = s->key;
            Py_INCREF(key);
            s->key = key;
            s->accept_code = accept_code;
            s->accept_key = accept_key;
            s->n = n;
            memcpy(s->raw, raw, sizeof(uintptr_t) * 2 * (size_t)n);
            Py_XDECREF(old);
        }
        return key;
    }
    /* A window wider than the slots hold: made afresh each time. */
    PyObject *key = key_of(raw, n, accept_code, accept_key);
    PyMem_Free(raw);
    return key;
}

/* The most frames a walk looks at: far more than the recorder's window (32), small enough that the
 * buffer's size (2 * depth words) cannot wrap. */
#define MAX_DEPTH 4096

static int depth_arg(PyObject *o, Py_ssize_t *depth)
{
    if (!PyLong_Check(o)) {
        PyErr_SetString(PyExc_TypeError, "depth must be an int");
        return -1;
    }
    *depth = PyLong_AsSsize_t(o);
    if (*depth == -1 && PyErr_Occurred())
        return -1;
    if (*depth < 1 || *depth > MAX_DEPTH) {
        PyErr_Format(PyExc_ValueError, "depth must be from 1 to %d", MAX_DEPTH);
        return -1;
    }
    return 0;
}

static PyObject *stack_key(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    Py_ssize_t depth;
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "key(frame, accept_code, accept_key, depth) takes 4 arguments");
        return NULL;
    }
    if (depth_arg(args[3], &depth) < 0)
        return NULL;
    return build_key(args[0], args[1], args[2], depth);
}

#ifdef PY_HAVE_THREAD_NATIVE_ID
/* The record of a socket whose stack was seen before, made here rather than in Python bytecode (see the
 * end of __init__ in sitecustomize.py: keep the two in step). bind() hands over the recorder's tables
 * once; record() then does per socket what the Python path does after the descriptor is known. */
static PyObject *fast_ids;    /* dict: key -> site */
static PyObject *live;        /* dict: fd -> record */
static PyObject *pending;     /* list of records not yet written */
static PyObject *accept_code; /* as key()'s */
static PyObject *accept_key;
static Py_ssize_t depth;
/* The interpreter whose recorder the tables above are: the first one to call bind(). The tables are the
 * process's, but a legacy sub-interpreter (one sharing this module's C state) has a recorder of its own:
 * its bind() and record() raise, so that its recorder walks in Python (load_native). */
static PyInterpreterState *bound_interp;

static PyInterpreterState *current_interpreter(void)
{
#if PY_VERSION_HEX >= 0x03090000
    return PyInterpreterState_Get();
#else
    return PyThreadState_Get()->interp;
#endif
}

static int same_interpreter(const char *fn)
{
    if (current_interpreter() == bound_interp)
        return 0;
    PyErr_Format(PyExc_RuntimeError, "%s(): bound to another interpreter's recorder", fn);
    return -1;
}

/* The thread's native id (threading.get_native_id()), cached per thread as the Python path caches it in
 * a threading.local. 0: not known yet. A forked child's only thread has another id: forgotten there. */
static _Thread_local unsigned long thread_id;

static void forget_thread_id(void)
{
    thread_id = 0;
}

static PyObject *bind(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    Py_ssize_t d;
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "bind(fast_ids, live, pending, accept_code, accept_key, depth) takes 6 arguments");
        return NULL;
    }
    if (!PyDict_CheckExact(args[0]) || !PyDict_CheckExact(args[1]) || !PyList_CheckExact(args[2])) {
        PyErr_SetString(PyExc_TypeError, "bind(): two dicts and a list expected");
        return NULL;
    }
    if (depth_arg(args[5], &d) < 0)
        return NULL;
    if (bound_interp == NULL)
        bound_interp = current_interpreter();
    else if (same_interpreter("bind") < 0)
        return NULL;
    PyObject *old[5] = {fast_ids, live, pending, accept_code, accept_key};
    for (int i = 0; i < 5; i++)
        Py_INCREF(args[i]);
    fast_ids = args[0];
    live = args[1];
    pending = args[2];
    accept_code = args[3];
    accept_key = args[4];
    depth = d;
    for (int i = 0; i < 5; i++)
        Py_XDECREF(old[i]);
    Py_RETURN_NONE;
}

/* time.time(): the realtime clock in ns, as seconds in a float the way CPython converts it. */
static PyObject *now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    int64_t ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    double t = ns % 1000000000 == 0 ? (double)(ns / 1000000000) : (double)ns / 1e9;
    return PyFloat_FromDouble(t);
}

/* record(frame, sock, fd, limit): the stack key from frame out (as key()); when fast_ids has it, the
 * record [fd, site, time.time(), native thread id, weakref to sock, None, False] is made and stored as
 * live[fd]; it is also appended to pending, unless pending holds limit records or more (the caller then
 * writes them first, and appends it). Returns None when appended, the record when not, and the key
 * (a tuple) when fast_ids does not have it: nothing recorded, the caller does it all. */
static PyObject *record(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "record(frame, sock, fd, limit) takes 4 arguments");
        return NULL;
    }
    if (fast_ids == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "record(): bind() first");
        return NULL;
    }
    if (same_interpreter("record") < 0)
        return NULL;
    Py_ssize_t limit = PyLong_AsSsize_t(args[3]);
    if (limit == -1 && PyErr_Occurred())
        return NULL;
    PyObject *key = build_key(args[0], accept_code, accept_key, depth);
    if (key == NULL)
        return NULL;
    PyObject *site = PyDict_GetItemWithError(fast_ids, key);
    if (site == NULL) {
        if (PyErr_Occurred()) {
            Py_DECREF(key);
            return NULL;
        }
        return key;
    }
    Py_INCREF(site);
    Py_DECREF(key);
    if (thread_id == 0)
        thread_id = PyThread_get_thread_native_id();
    /* Every item first, then the list, filled with nothing allocating in between: a list is tracked by
     * the garbage collector as soon as it is made, and an allocation may run a collection whose
     * callbacks or finalizers may read it (gc.get_objects()), NULL items and all. */
    PyObject *t = now();
    PyObject *tid = t != NULL ? PyLong_FromUnsignedLong(thread_id) : NULL;
    PyObject *w = tid != NULL ? PyWeakref_NewRef(args[1], NULL) : NULL;
    PyObject *r = w != NULL ? PyList_New(7) : NULL;
    if (r == NULL) {
        Py_DECREF(site);
        Py_XDECREF(t);
        Py_XDECREF(tid);
        Py_XDECREF(w);
        return NULL;
    }
    Py_INCREF(args[2]);
    PyList_SET_ITEM(r, 0, args[2]);
    PyList_SET_ITEM(r, 1, site);
    PyList_SET_ITEM(r, 2, t);
    PyList_SET_ITEM(r, 3, tid);
    PyList_SET_ITEM(r, 4, w);
    Py_INCREF(Py_None);
    PyList_SET_ITEM(r, 5, Py_None);
    Py_INCREF(Py_False);
    PyList_SET_ITEM(r, 6, Py_False);
    if (PyDict_SetItem(live, args[2], r) < 0)
        goto fail;
    if (PyList_GET_SIZE(pending) >= limit)
        return r;
    if (PyList_Append(pending, r) < 0)
        goto fail;
    Py_DECREF(r);
    Py_RETURN_NONE;
fail:
    Py_DECREF(r);
    return NULL;
}
#endif

static PyMethodDef methods[] = {
    {"key", (PyCFunction)(void (*)(void))stack_key, METH_FASTCALL,
     "key(frame, accept_code, accept_key, depth): the recorder's stack key from frame out."},
#ifdef PY_HAVE_THREAD_NATIVE_ID
    {"bind", (PyCFunction)(void (*)(void))bind, METH_FASTCALL,
     "bind(fast_ids, live, pending, accept_code, accept_key, depth): the recorder's tables, for record()."},
    {"record", (PyCFunction)(void (*)(void))record, METH_FASTCALL,
     "record(frame, sock, fd, limit): a socket of a known stack recorded (None, or the record when pending "
     "is full), or its key when the stack is new."},
#endif
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_sockscope_stack",
    "The stack key of SockScope's Python origins recorder, walked in C.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__sockscope_stack(void)
{
#ifdef PY_HAVE_THREAD_NATIVE_ID
    static int registered;
    if (!registered) {
        if (pthread_atfork(NULL, NULL, forget_thread_id) != 0) {
            PyErr_SetString(PyExc_OSError, "_sockscope_stack: pthread_atfork failed");
            return NULL;
        }
        registered = 1;
    }
#endif
    return PyModule_Create(&module);
}
