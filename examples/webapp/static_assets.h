/* The files of static/, compiled in (see embed.cmake). */
#ifndef WEBAPP_STATIC_ASSETS_H
#define WEBAPP_STATIC_ASSETS_H

#include <stddef.h>

typedef struct static_asset {
    const char *name;          /* "styles.css": served at /static/styles.css */
    const char *content_type;
    const char *etag;          /* quoted, from the file's SHA-256 */
    const unsigned char *data;
    size_t size;
} static_asset;

/* Ends with an entry whose name is NULL. */
extern const static_asset static_assets[];

#endif
