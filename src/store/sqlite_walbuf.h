/*
 * A VFS over the default one that hands SQLite's WAL writes to the kernel
 * a transaction at a time (sqlite_walbuf.c).
 */
#ifndef ROOTLY_SRC_STORE_SQLITE_WALBUF_H
#define ROOTLY_SRC_STORE_SQLITE_WALBUF_H

/* The name of the VFS to open a writing connection with: the buffering
 * VFS over the process's default VFS of this moment (made and registered
 * on first use, kept for the life of the process), or NULL (the default
 * itself) when it cannot be made. */
const char *rootly__sq_walbuf_vfs(void);

#endif
