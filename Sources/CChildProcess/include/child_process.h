#ifndef DRAGOMAN_CHILD_PROCESS_H
#define DRAGOMAN_CHILD_PROCESS_H

#include <sys/types.h>

/// Starts `/bin/sh -c command` in a process group of its own, with its standard input and output
/// on pipes (returned in `to_child` and `from_child`, close-on-exec in this process), SIGPIPE back
/// to its default, and every other descriptor of this process closed in the child.
/// Returns 0 and the child's pid in `pid`, or an errno value.
int dragoman_spawn_shell(const char *command, pid_t *pid, int *to_child, int *from_child);

#endif
