#include "CCurlShim.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

CURLcode bazaar_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode bazaar_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode bazaar_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLcode bazaar_curl_global_init(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

#define BAZAAR_REPLY_SIZE 512

struct bazaar_curl_upload {
    unsigned char *data;
    size_t length;
    size_t offset;
    atomic_int cancelled;
    /* The line being received (replies can arrive in pieces) and the last 4xx/5xx line. */
    char partial[BAZAAR_REPLY_SIZE];
    size_t partial_length;
    char last_refusal[BAZAAR_REPLY_SIZE];
};

bazaar_curl_upload *bazaar_curl_upload_create(const unsigned char *data, size_t length) {
    bazaar_curl_upload *upload = calloc(1, sizeof(bazaar_curl_upload));
    if (upload == NULL) return NULL;
    upload->data = malloc(length > 0 ? length : 1);
    if (upload->data == NULL) {
        free(upload);
        return NULL;
    }
    if (length > 0) memcpy(upload->data, data, length);
    upload->length = length;
    atomic_init(&upload->cancelled, 0);
    return upload;
}

void bazaar_curl_upload_destroy(bazaar_curl_upload *upload) {
    if (upload == NULL) return;
    free(upload->data);
    free(upload);
}

void bazaar_curl_upload_cancel(bazaar_curl_upload *upload) {
    atomic_store(&upload->cancelled, 1);
}

const char *bazaar_curl_upload_last_refusal(const bazaar_curl_upload *upload) {
    return upload->last_refusal;
}

static size_t bazaar_read(char *buffer, size_t size, size_t count, void *userdata) {
    bazaar_curl_upload *upload = userdata;
    if (atomic_load(&upload->cancelled)) return CURL_READFUNC_ABORT;
    size_t wanted = size * count;
    size_t remaining = upload->length - upload->offset;
    size_t chunk = remaining < wanted ? remaining : wanted;
    memcpy(buffer, upload->data + upload->offset, chunk);
    upload->offset += chunk;
    return chunk;
}

/* Called during connect and every SMTP exchange too, so cancellation does not wait for the timeout. */
static int bazaar_progress(void *userdata, curl_off_t download_total, curl_off_t downloaded,
                           curl_off_t upload_total, curl_off_t uploaded) {
    (void)download_total; (void)downloaded; (void)upload_total; (void)uploaded;
    bazaar_curl_upload *upload = userdata;
    return atomic_load(&upload->cancelled) ? 1 : 0;
}

/* Only the server's lines (CURLINFO_HEADER_IN) are kept: what the client sends includes the
   AUTH exchange and must never reach an error message or a log. */
static int bazaar_debug(CURL *handle, curl_infotype type, char *data, size_t size, void *userdata) {
    (void)handle;
    if (type != CURLINFO_HEADER_IN) return 0;
    bazaar_curl_upload *upload = userdata;
    for (size_t index = 0; index < size; index++) {
        char character = data[index];
        if (character == '\n') {
            size_t length = upload->partial_length;
            if (length > 0 && upload->partial[length - 1] == '\r') length--;
            /* Only refusals (4xx, 5xx): after one, libcurl still says QUIT and hears "221 Bye". */
            if (length > 0 && (upload->partial[0] == '4' || upload->partial[0] == '5')) {
                memcpy(upload->last_refusal, upload->partial, length);
                upload->last_refusal[length] = '\0';
            }
            upload->partial_length = 0;
        } else if (upload->partial_length < BAZAAR_REPLY_SIZE - 1) {
            upload->partial[upload->partial_length++] = character;
        }
    }
    return 0;
}

CURLcode bazaar_curl_install_upload(CURL *handle, bazaar_curl_upload *upload) {
    upload->offset = 0;
    upload->partial_length = 0;
    upload->last_refusal[0] = '\0';
    CURLcode result;
    if ((result = curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L)) != CURLE_OK) return result;
    if ((result = curl_easy_setopt(handle, CURLOPT_READFUNCTION, bazaar_read)) != CURLE_OK) return result;
    if ((result = curl_easy_setopt(handle, CURLOPT_READDATA, upload)) != CURLE_OK) return result;
    if ((result = curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, (curl_off_t)upload->length)) != CURLE_OK) return result;
    if ((result = curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, bazaar_progress)) != CURLE_OK) return result;
    if ((result = curl_easy_setopt(handle, CURLOPT_XFERINFODATA, upload)) != CURLE_OK) return result;
    if ((result = curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L)) != CURLE_OK) return result;
    if ((result = curl_easy_setopt(handle, CURLOPT_DEBUGFUNCTION, bazaar_debug)) != CURLE_OK) return result;
    if ((result = curl_easy_setopt(handle, CURLOPT_DEBUGDATA, upload)) != CURLE_OK) return result;
    return curl_easy_setopt(handle, CURLOPT_VERBOSE, 1L);
}
