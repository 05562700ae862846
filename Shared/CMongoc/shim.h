// libmongoc and libbson, the MongoDB C driver (Debian libmongoc-dev).
#include <mongoc/mongoc.h>
#include <bson/bson.h>

// Debian builds libbson with BSON_EXTRA_ALIGN, so `bson_t` (128 bytes, 128-byte aligned) is
// imported into Swift as an opaque pointer and Swift cannot ask for its size. These report the
// layout the library was compiled with, so Swift allocates `bson_t` storage that fits it.
static inline size_t bazaar_bson_t_size(void) { return sizeof(bson_t); }
static inline size_t bazaar_bson_t_alignment(void) { return _Alignof(bson_t); }
