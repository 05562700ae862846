#ifndef BAZAAR_CCURL_SHIM_H
#define BAZAAR_CCURL_SHIM_H

#include <curl/curl.h>
#include <stddef.h>

/// Non-variadic wrappers of libcurl's variadic calls, which Swift cannot call directly.
CURLcode bazaar_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode bazaar_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode bazaar_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);

/// `curl_global_init(CURL_GLOBAL_DEFAULT)`, whose flag is a macro Swift cannot import.
CURLcode bazaar_curl_global_init(void);

/// The C side of one upload: a private copy of the bytes to send, read by libcurl's read
/// callback; a cancellation flag, checked by its progress callback; and the last refusal (4xx or
/// 5xx reply line) the server sent, captured by its debug callback, so errors can quote it.
typedef struct bazaar_curl_upload bazaar_curl_upload;

/// Copies `length` bytes of `data`; returns NULL when out of memory. Free with `bazaar_curl_upload_destroy`.
bazaar_curl_upload *bazaar_curl_upload_create(const unsigned char *data, size_t length);
void bazaar_curl_upload_destroy(bazaar_curl_upload *upload);

/// Makes `handle` upload `upload`'s bytes (CURLOPT_UPLOAD, READFUNCTION/READDATA, INFILESIZE),
/// abort once `bazaar_curl_upload_cancel` was called (XFERINFOFUNCTION) and record the server's
/// replies (VERBOSE with a DEBUGFUNCTION that writes nothing to stderr). `upload` must outlive
/// every transfer on `handle`.
CURLcode bazaar_curl_install_upload(CURL *handle, bazaar_curl_upload *upload);

/// Makes the running transfer fail with CURLE_ABORTED_BY_CALLBACK soon; safe from any thread.
void bazaar_curl_upload_cancel(bazaar_curl_upload *upload);

/// The last 4xx or 5xx reply line the server sent (without CRLF), or "" when none; valid until
/// the next transfer or `bazaar_curl_upload_destroy`. Read it only when no transfer is running.
const char *bazaar_curl_upload_last_refusal(const bazaar_curl_upload *upload);

#endif
