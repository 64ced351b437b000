// The recorder's stack capture (fast-unwind.c): the return addresses of the caller's stack, read
// with unwind rules cached per return address, so that a stack seen before costs a few loads per
// frame instead of a DWARF unwind. -1 from fu_capture means "not here": use backtrace().
#ifndef SOCKSCOPE_FAST_UNWIND_H
#define SOCKSCOPE_FAST_UNWIND_H

/* Once, at load (may allocate, takes the loader's lock): 1 when the fast path can be used. */
int fu_init(void);

/* The return addresses from the first frame outside this library outwards, at most max of them.
   own_frame is __builtin_frame_address(0) of the calling recorder function (this library is built
   with frame pointers). -1 when a frame needs a rule this reader does not follow (then the caller
   uses backtrace(), which gives the same addresses). Never allocates, never takes a lock. */
int fu_capture(void **pc, int max, void *own_frame);

/* Forgets every cached rule (a module was unloaded: its addresses may come back with other code). */
void fu_invalidate(void);

/* 1 when the ELF object of link map `handle` (a dlopen handle) is still loaded, with `inside` (an
   address in it, read before the dlclose) still in it; 0 when not, or not known. Lock-free. */
int fu_still_loaded(const void *inside, const void *handle);

/* 1 when pc lies in this library's own code (the recorder's frames are not part of a stack), 0 when
   not, -1 when this library's code range is not known (then callers skip a fixed number of frames). */
/* fu_init finds the range even when it returns 0. */
int fu_is_own(const void *pc);

#endif
