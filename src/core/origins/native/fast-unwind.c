// The recorder's stack capture: return addresses read with the program's own unwind tables (the
// DWARF call-frame information in .eh_frame, as glibc's backtrace() reads them through libgcc),
// with each return address's rule computed once and cached. A rule says, at one return address,
// where the caller's frame is (CFA = rsp or rbp + offset), where the next return address and the
// saved rbp are kept. A capture then costs a hash lookup and two loads per frame.
//
// Only rules of the common shapes are followed; anything else (a CFA given by an expression or by
// another register, signal frames, code without unwind tables such as JIT code) makes fu_capture
// return -1, and the recorder uses backtrace() for that stack, which gives the same addresses.
// Rules are read only for code inside a loaded ELF object, and forgotten when a module is unloaded
// (the recorder wraps dlclose), so an address reused by other code never reads an old rule.
//
// x86-64 Linux only; elsewhere fu_init returns 0 and backtrace() is used.
#define _GNU_SOURCE
#include "fast-unwind.h"

#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__linux__)

struct eh_bases { void *tbase, *dbase, *func; };
typedef const void *(*find_fde_fn)(void *pc, struct eh_bases *bases);
struct found_object { unsigned long long flags; void *map_start, *map_end; void *link_map, *eh_frame; unsigned long long reserved[7]; };
typedef int (*find_object_fn)(void *pc, struct found_object *result);

static find_fde_fn find_fde;        /* libgcc's _Unwind_Find_FDE */
static find_object_fn find_object;  /* glibc's _dl_find_object (2.35+): is an address in a loaded ELF object? */
static uintptr_t own_start, own_end;
static int enabled;

enum { COL_RBP = 6, COL_RSP = 7, COL_RA = 16 };
enum { HOW_SAME = 0, HOW_OFFSET = 1, HOW_UNDEF = 2, HOW_OTHER = 3 };

/* A rule packed in 64 bits: offsets in bytes (CFA offset 0..8 MiB; saved slots multiples of 8 within
   ±16 KiB of the CFA), the table generation in the top 16 bits. */
#define R_VALID (1ull << 23)
#define R_CFA_RBP (1ull << 24)
#define R_RBP_SHIFT 25        /* 2 bits: HOW_* of rbp */
#define R_END (1ull << 27)    /* the return address is undefined: the outermost frame */
#define R_UNSUPPORTED (1ull << 28)
#define R_RBP_OFF_SHIFT 29    /* 12 bits, signed, in units of 8 */
#define R_RA_OFF_SHIFT 41     /* 7 bits, signed, in units of 8 */
#define R_GEN_SHIFT 48

#define TABLE_SIZE 4096u
#define PROBES 8u
struct entry { uint64_t key, rule; };
static struct entry table[TABLE_SIZE];
static uint32_t generation = 1; /* 16 bits used; the fast path stops for good before it wraps */

struct row {
  uint8_t cfa_reg, cfa_expr, rbp_how, ra_how, rsp_how;
  int64_t cfa_off, rbp_off, ra_off;
};

static const uint8_t *uleb(const uint8_t *p, const uint8_t *end, uint64_t *v) {
  uint64_t r = 0;
  for (unsigned shift = 0; p < end && shift < 64; shift += 7) {
    uint8_t b = *p++;
    r |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) { *v = r; return p; }
  }
  return NULL;
}

static const uint8_t *sleb(const uint8_t *p, const uint8_t *end, int64_t *v) {
  uint64_t r = 0;
  unsigned shift = 0;
  while (p < end && shift < 64) {
    uint8_t b = *p++;
    r |= (uint64_t)(b & 0x7f) << shift;
    shift += 7;
    if (!(b & 0x80)) {
      if (shift < 64 && (b & 0x40)) r |= ~0ull << shift;
      *v = (int64_t)r;
      return p;
    }
  }
  return NULL;
}

/* Skips one pointer encoded with a DW_EH_PE_* byte; NULL for an encoding this reader does not know. */
static const uint8_t *skip_encoded(const uint8_t *p, const uint8_t *end, uint8_t enc) {
  if (enc == 0xff) return p; /* omitted */
  if ((enc & 0x70) == 0x50) return NULL; /* DW_EH_PE_aligned: the value sits at the next 8-byte boundary */
  uint64_t u;
  int64_t s;
  switch (enc & 0x0f) {
    case 0x00: case 0x04: case 0x0c: return p + 8 <= end ? p + 8 : NULL;
    case 0x02: case 0x0a: return p + 2 <= end ? p + 2 : NULL;
    case 0x03: case 0x0b: return p + 4 <= end ? p + 4 : NULL;
    case 0x01: return uleb(p, end, &u);
    case 0x09: return sleb(p, end, &s);
    default: return NULL;
  }
}

/* Only rbp, rsp and the return address matter here. A rule for rsp other than "same value" makes
   libgcc take the caller's rsp from it instead of the CFA: left to backtrace(). */
static void set_reg(struct row *r, uint64_t reg, uint8_t how, int64_t off) {
  if (reg == COL_RBP) { r->rbp_how = how; r->rbp_off = off; }
  else if (reg == COL_RA) { r->ra_how = how; r->ra_off = off; }
  else if (reg == COL_RSP) r->rsp_how = how;
}

/* DW_CFA_restore as libgcc runs it: the register becomes "unsaved" (REG_UNSAVED), not the CIE's
   rule. For rbp that is "same value"; for the return address libgcc then reuses the callee's
   return-address slot, a shape not followed here. */
static void restore_reg(struct row *r, uint64_t reg) {
  if (reg == COL_RBP || reg == COL_RSP) set_reg(r, reg, HOW_SAME, 0);
  else if (reg == COL_RA) set_reg(r, reg, HOW_OTHER, 0);
}

/* Runs call-frame instructions while the row's address is below ra (libgcc's rule: the row in force
   at the call instruction, which ends just before the return address). 0 on anything malformed. */
static int run_program(const uint8_t *p, const uint8_t *end, uintptr_t *loc, uintptr_t ra, uint64_t code_align,
                       int64_t data_align, struct row *row) {
  struct row saved[4];
  unsigned depth = 0;
  while (p && p < end && *loc < ra) {
    uint8_t op = *p++;
    uint64_t reg = 0, u = 0;
    int64_t s = 0;
    switch (op & 0xc0) {
      case 0x40: *loc += (op & 0x3f) * code_align; continue;
      case 0x80:
        p = uleb(p, end, &u);
        set_reg(row, op & 0x3f, HOW_OFFSET, (int64_t)u * data_align);
        continue;
      case 0xc0: restore_reg(row, op & 0x3f); continue;
      default: break;
    }
    switch (op) {
      case 0x00: break;                                           /* nop */
      case 0x02: if (p + 1 > end) return 0; *loc += p[0] * code_align; p += 1; break;
      case 0x03: { if (p + 2 > end) return 0; uint16_t d; memcpy(&d, p, 2); *loc += d * code_align; p += 2; break; }
      case 0x04: { if (p + 4 > end) return 0; uint32_t d; memcpy(&d, p, 4); *loc += d * code_align; p += 4; break; }
      case 0x05: p = uleb(p, end, &reg); if (p) p = uleb(p, end, &u); set_reg(row, reg, HOW_OFFSET, (int64_t)u * data_align); break;
      case 0x06:                                                  /* restore_extended */
        p = uleb(p, end, &reg);
        restore_reg(row, reg);
        break;
      case 0x07: p = uleb(p, end, &reg); set_reg(row, reg, HOW_UNDEF, 0); break;
      case 0x08: p = uleb(p, end, &reg); set_reg(row, reg, reg == COL_RA ? HOW_OTHER : HOW_SAME, 0); break;
      case 0x09: p = uleb(p, end, &reg); if (p) p = uleb(p, end, &u); set_reg(row, reg, HOW_OTHER, 0); break;
      case 0x0a: if (depth == 4) return 0; saved[depth++] = *row; break;
      case 0x0b: if (depth == 0) return 0; *row = saved[--depth]; break; /* the CFA rule too, as libgcc */
      case 0x0c: p = uleb(p, end, &reg); if (p) p = uleb(p, end, &u); row->cfa_reg = (uint8_t)(reg < 255 ? reg : 255); row->cfa_off = (int64_t)u; row->cfa_expr = 0; break;
      case 0x0d: p = uleb(p, end, &reg); row->cfa_reg = (uint8_t)(reg < 255 ? reg : 255); row->cfa_expr = 0; break;
      case 0x0e: p = uleb(p, end, &u); row->cfa_off = (int64_t)u; break;
      case 0x0f: p = uleb(p, end, &u); if (p) p += u; row->cfa_expr = 1; break;
      case 0x10: p = uleb(p, end, &reg); if (p) p = uleb(p, end, &u); if (p) p += u; set_reg(row, reg, HOW_OTHER, 0); break;
      case 0x11: p = uleb(p, end, &reg); if (p) p = sleb(p, end, &s); set_reg(row, reg, HOW_OFFSET, s * data_align); break;
      case 0x12: p = uleb(p, end, &reg); if (p) p = sleb(p, end, &s); row->cfa_reg = (uint8_t)(reg < 255 ? reg : 255); row->cfa_off = s * data_align; row->cfa_expr = 0; break;
      case 0x13: p = sleb(p, end, &s); row->cfa_off = s * data_align; break;
      case 0x14: p = uleb(p, end, &reg); if (p) p = uleb(p, end, &u); set_reg(row, reg, HOW_OTHER, 0); break;
      case 0x15: p = uleb(p, end, &reg); if (p) p = sleb(p, end, &s); set_reg(row, reg, HOW_OTHER, 0); break;
      case 0x16: p = uleb(p, end, &reg); if (p) p = uleb(p, end, &u); if (p) p += u; set_reg(row, reg, HOW_OTHER, 0); break;
      case 0x2e: p = uleb(p, end, &u); break;                      /* GNU_args_size */
      case 0x2f: p = uleb(p, end, &reg); if (p) p = uleb(p, end, &u); set_reg(row, reg, HOW_OFFSET, -(int64_t)u * data_align); break;
      default: return 0;                                          /* set_loc, window_save, vendor ops */
    }
  }
  return p != NULL && depth <= 4;
}

/* The rule in force at return address ra, packed; R_UNSUPPORTED when it has a shape fu_capture does
   not follow (or no unwind information). */
static uint64_t compute_rule(uintptr_t ra) {
  struct eh_bases bases;
  const uint8_t *fde = find_fde((void *)(ra - 1), &bases);
  if (!fde) return R_UNSUPPORTED;
  uint32_t len, cie_len;
  int32_t cie_ptr;
  memcpy(&len, fde, 4);
  if (len == 0 || len == 0xffffffffu) return R_UNSUPPORTED;
  const uint8_t *fde_end = fde + 4 + len;
  memcpy(&cie_ptr, fde + 4, 4);
  const uint8_t *cie = fde + 4 - cie_ptr;
  memcpy(&cie_len, cie, 4);
  if (cie_len == 0 || cie_len == 0xffffffffu) return R_UNSUPPORTED;
  const uint8_t *cie_end = cie + 4 + cie_len, *p = cie + 8;
  uint8_t version = *p++;
  if (version != 1 && version != 3) return R_UNSUPPORTED;
  const char *aug = (const char *)p;
  size_t aug_len = strnlen(aug, 8);
  if (aug_len == 8) return R_UNSUPPORTED;
  p += aug_len + 1;
  uint64_t code_align = 0, ra_reg = 0, n = 0;
  int64_t data_align = 0;
  p = uleb(p, cie_end, &code_align);
  if (p) p = sleb(p, cie_end, &data_align);
  if (p && version == 1) ra_reg = *p++;
  else if (p) p = uleb(p, cie_end, &ra_reg);
  if (!p || ra_reg != COL_RA) return R_UNSUPPORTED;
  uint8_t fde_enc = 0;
  int has_aug_data = aug[0] == 'z';
  if (has_aug_data) {
    p = uleb(p, cie_end, &n);
    if (!p || p + n > cie_end) return R_UNSUPPORTED;
    const uint8_t *q = p;
    for (size_t i = 1; i < aug_len; i++) {
      if (q >= p + n) return R_UNSUPPORTED;
      if (aug[i] == 'R') fde_enc = *q++;
      else if (aug[i] == 'L') q++;
      else if (aug[i] == 'P') { uint8_t e = *q++; q = skip_encoded(q, p + n, e); if (!q) return R_UNSUPPORTED; }
      else return R_UNSUPPORTED; /* 'S' (signal frame) and anything unknown */
    }
    p += n;
  } else if (aug_len) {
    return R_UNSUPPORTED;
  }
  /* Every register starts "unsaved" as in libgcc: rbp and rsp keep their values; the return address
     unsaved is not followed (only an explicit DW_CFA_undefined marks the outermost frame). */
  struct row row = { COL_RSP, 0, HOW_SAME, HOW_OTHER, HOW_SAME, 0, 0, 0 };
  uintptr_t loc = (uintptr_t)bases.func;
  if (!run_program(p, cie_end, &loc, ra, code_align, data_align, &row)) return R_UNSUPPORTED;
  const uint8_t *f = skip_encoded(fde + 8, fde_end, fde_enc);         /* pc_begin */
  if (f) f = skip_encoded(f, fde_end, (uint8_t)(fde_enc & 0x0f));     /* pc_range */
  if (f && has_aug_data) { f = uleb(f, fde_end, &n); if (f) f += n; }
  if (!f || f > fde_end) return R_UNSUPPORTED;
  if (!run_program(f, fde_end, &loc, ra, code_align, data_align, &row)) return R_UNSUPPORTED;

  if (row.rsp_how != HOW_SAME) return R_UNSUPPORTED;
  if (row.cfa_expr || (row.cfa_reg != COL_RSP && row.cfa_reg != COL_RBP)) return R_UNSUPPORTED;
  if (row.cfa_off < 0 || row.cfa_off >= (1 << 23)) return R_UNSUPPORTED;
  uint64_t rule = R_VALID | (uint64_t)row.cfa_off | (row.cfa_reg == COL_RBP ? R_CFA_RBP : 0);
  if (row.ra_how == HOW_UNDEF) return rule | R_END;
  if (row.ra_how != HOW_OFFSET || row.ra_off % 8 || row.ra_off < -64 * 8 || row.ra_off >= 64 * 8) return R_UNSUPPORTED;
  if (row.rbp_how == HOW_OTHER) return R_UNSUPPORTED;
  if (row.rbp_how == HOW_OFFSET && (row.rbp_off % 8 || row.rbp_off < -2048 * 8 || row.rbp_off >= 2048 * 8)) return R_UNSUPPORTED;
  rule |= (uint64_t)row.rbp_how << R_RBP_SHIFT;
  rule |= ((uint64_t)(row.rbp_how == HOW_OFFSET ? row.rbp_off / 8 : 0) & 0xfff) << R_RBP_OFF_SHIFT;
  rule |= ((uint64_t)(row.ra_off / 8) & 0x7f) << R_RA_OFF_SHIFT;
  return rule;
}

static int64_t field(uint64_t rule, unsigned shift, unsigned bits) {
  int64_t v = (int64_t)((rule >> shift) & ((1ull << bits) - 1));
  return v >= (1ll << (bits - 1)) ? v - (1ll << bits) : v;
}

/* The rule at ra, from the table or computed (and kept when ra lies in a loaded ELF object). */
static uint64_t rule_at(uintptr_t ra, uint64_t gen) {
  uint64_t key = (uint64_t)ra | (gen << R_GEN_SHIFT);
  uint64_t h = ((uint64_t)ra * 0x9e3779b97f4a7c15ull) >> 52;
  for (uint32_t i = 0; i < PROBES; i++) {
    struct entry *e = &table[(h + i) & (TABLE_SIZE - 1)];
    uint64_t k = __atomic_load_n(&e->key, __ATOMIC_ACQUIRE);
    if (k == key) {
      uint64_t r = __atomic_load_n(&e->rule, __ATOMIC_ACQUIRE);
      if ((r & (R_VALID | R_UNSUPPORTED)) != 0 && (r >> R_GEN_SHIFT) == gen) return r;
      break; /* being filled in by another thread: compute it here */
    }
    /* A slot is taken over only from an older generation, never from a newer one by a capture that
       started before a dlclose: so a slot holds at most one key per generation, and a rule found
       with the key's generation was computed for that key. (Taking over a newer key let a third
       thread's newer key meet the rule left behind by the second.) */
    if (k == 0 || (k >> R_GEN_SHIFT) < gen) {
      struct found_object obj;
      if (find_object((void *)ra, &obj) != 0) return R_UNSUPPORTED; /* not in an ELF object (JIT code): backtrace() */
      if (!__atomic_compare_exchange_n(&e->key, &k, key, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) continue;
      uint64_t r = compute_rule(ra);
      __atomic_store_n(&e->rule, (r & ~(0xffffull << R_GEN_SHIFT)) | (gen << R_GEN_SHIFT), __ATOMIC_RELEASE);
      return r;
    }
  }
  return compute_rule(ra);
}

int fu_capture(void **out, int max, void *own_frame) {
  uint32_t gen = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
  if (!enabled || gen >= 0xffff) return -1;
  /* This library's frames, by their frame pointers, up to the first return address outside it. */
  const uintptr_t *fp = (const uintptr_t *)own_frame;
  uintptr_t ra = 0, rsp = 0, rbp = 0;
  for (int i = 0;; i++) {
    if (i == 8 || !fp || ((uintptr_t)fp & 7)) return -1;
    ra = fp[1];
    if (fu_is_own((const void *)ra) != 1) { rsp = (uintptr_t)(fp + 2); rbp = fp[0]; break; }
    const uintptr_t *next = (const uintptr_t *)fp[0];
    if (next <= fp || (uintptr_t)(next - fp) > (1u << 16)) return -1;
    fp = next;
  }
  int n = 0, rbp_known = 1;
  while (n < max && ra != 0) {
    out[n++] = (void *)ra;
    uint64_t rule = rule_at(ra, gen);
    if (rule & R_UNSUPPORTED || !(rule & R_VALID)) return -1;
    if (rule & R_END) break;
    if ((rule & R_CFA_RBP) && !rbp_known) return -1;
    uintptr_t cfa = ((rule & R_CFA_RBP) ? rbp : rsp) + (rule & 0x7fffff);
    if (cfa <= rsp || cfa - rsp > (1u << 24) || (cfa & 7)) return -1;
    uintptr_t next_ra = *(const uintptr_t *)(cfa + (intptr_t)field(rule, R_RA_OFF_SHIFT, 7) * 8);
    unsigned how = (unsigned)(rule >> R_RBP_SHIFT) & 3;
    if (how == HOW_OFFSET) { rbp = *(const uintptr_t *)(cfa + (intptr_t)field(rule, R_RBP_OFF_SHIFT, 12) * 8); rbp_known = 1; }
    else if (how == HOW_UNDEF) rbp_known = 0;
    rsp = cfa;
    ra = next_ra;
  }
  /* A module unloaded while this stack was read: a rule may have been an old one; use backtrace(). */
  if (__atomic_load_n(&generation, __ATOMIC_ACQUIRE) != gen) return -1;
  return n;
}

void fu_invalidate(void) {
  uint32_t gen = __atomic_load_n(&generation, __ATOMIC_RELAXED);
  while (gen < 0xffff && !__atomic_compare_exchange_n(&generation, &gen, gen + 1, 1, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {}
}

int fu_still_loaded(const void *inside, const void *handle) {
  struct found_object obj;
  return enabled && inside && find_object((void *)(uintptr_t)inside, &obj) == 0 && obj.link_map == handle;
}

int fu_is_own(const void *pc) {
  if (own_end <= own_start) return -1;
  return (uintptr_t)pc >= own_start && (uintptr_t)pc < own_end;
}

static int find_own(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  uintptr_t want = (uintptr_t)data;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X)) continue;
    uintptr_t start = info->dlpi_addr + ph->p_vaddr, end = start + ph->p_memsz;
    if (want >= start && want < end) { own_start = start; own_end = end; return 1; }
  }
  return 0;
}

int fu_init(void) {
  if (enabled) return 1;
  dl_iterate_phdr(find_own, (void *)(uintptr_t)&fu_init);
  if (getenv("SOCKSCOPE_ORIGINS_NO_FAST_UNWIND")) return 0;
  void *gcc = dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_NOLOAD);
  if (!gcc) return 0;
  find_fde = (find_fde_fn)dlsym(gcc, "_Unwind_Find_FDE");
  find_object = (find_object_fn)dlsym(RTLD_DEFAULT, "_dl_find_object");
  enabled = find_fde && find_object && own_end > own_start;
  return enabled;
}

#else

int fu_init(void) { return 0; }
int fu_capture(void **out, int max, void *own_frame) { (void)out; (void)max; (void)own_frame; return -1; }
void fu_invalidate(void) {}
int fu_still_loaded(const void *inside, const void *handle) { (void)inside; (void)handle; return 0; }
int fu_is_own(const void *pc) { (void)pc; return -1; }

#endif
