/*
 * A stand-in for one of an image's programs (a plugin binary, a tool a script calls), for ImageRootfs.
 * Linked statically so that it runs in a root filesystem that holds nothing else, a shell-less image included.
 * <name> below is the basename of argv[0]. Each call:
 *
 *  1. appends one record to /stub-calls/<name> (creating /stub-calls if missing);
 *  2. writes the files listed in /stub-control/<name>.files, if that file exists;
 *  3. copies /stub-control/<name>.stdout and /stub-control/<name>.stderr, if they exist, to its stdout and stderr;
 *  4. reads its stdin to the end when that is a pipe, as the program would read what a pipeline feeds it
 *     (docker login --password-stdin): a writer upstream would otherwise die of SIGPIPE;
 *  5. exits with the number in /stub-control/<name>.exit, or 0 without that file.
 *
 * A record is "call <argc> <envc>\n", then the working directory, each argument and each environment entry
 * ("NAME=value") as a netstring ("<length in bytes>:<bytes>,"), then "\n". The lengths keep every byte of a
 * value (a newline, '=', a backslash) unambiguous, and the whole record goes out in one append.
 *
 * A .files line is "<path>\t<content>\n". In <content>, "\n", "\t" and "\\" stand for a newline, a tab and a
 * backslash, so that one line holds one file. A relative path is relative to the stub's working directory;
 * missing parent directories are created; each file is written whole, mode 0644.
 *
 * The stub exits 125 when it cannot do its own job (an unwritable record, a malformed .files), so that a
 * broken fixture cannot pass for the program's own exit code.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STUB_FAILED 125

extern char **environ;

struct buffer {
    char *bytes;
    size_t length, capacity;
};

static void fail(const char *what, const char *path) {
    fprintf(stderr, "stub: %s %s: %s\n", what, path, strerror(errno));
    exit(STUB_FAILED);
}

static void append(struct buffer *b, const char *bytes, size_t n) {
    if (b->length + n > b->capacity) {
        b->capacity = (b->length + n) * 2 + 64;
        b->bytes = realloc(b->bytes, b->capacity);
        if (b->bytes == NULL) fail("cannot allocate for", "a record");
    }
    memcpy(b->bytes + b->length, bytes, n);
    b->length += n;
}

static void append_netstring(struct buffer *b, const char *s) {
    char prefix[32];
    size_t n = strlen(s);
    append(b, prefix, (size_t) snprintf(prefix, sizeof prefix, "%zu:", n));
    append(b, s, n);
    append(b, ",", 1);
}

static void write_all(int fd, const char *bytes, size_t n, const char *path) {
    while (n > 0) {
        ssize_t written = write(fd, bytes, n);
        if (written < 0) {
            if (errno == EINTR) continue;
            fail("cannot write", path);
        }
        bytes += written;
        n -= (size_t) written;
    }
}

/* Returns 0 when the file does not exist: every control file is optional. */
static int read_file(const char *path, struct buffer *out) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        if (errno == ENOENT) return 0;
        fail("cannot open", path);
    }
    char chunk[4096];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) != 0) {
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("cannot read", path);
        }
        append(out, chunk, (size_t) n);
    }
    close(fd);
    return 1;
}

static void make_parents(char *path) {
    for (char *slash = strchr(path + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) fail("cannot create directory", path);
        *slash = '/';
    }
}

static void control_path(char *out, size_t size, const char *name, const char *suffix) {
    if ((size_t) snprintf(out, size, "/stub-control/%s%s", name, suffix) >= size) {
        errno = ENAMETOOLONG;
        fail("name too long:", name);
    }
}

static void record_call(const char *name, int argc, char **argv) {
    struct buffer record = {0};
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) == NULL) cwd[0] = '\0';
    int envc = 0;
    while (environ != NULL && environ[envc] != NULL) envc++;

    char header[64];
    append(&record, header, (size_t) snprintf(header, sizeof header, "call %d %d\n", argc, envc));
    append_netstring(&record, cwd);
    for (int i = 0; i < argc; i++) append_netstring(&record, argv[i]);
    for (int i = 0; i < envc; i++) append_netstring(&record, environ[i]);
    append(&record, "\n", 1);

    if (mkdir("/stub-calls", 0755) != 0 && errno != EEXIST) fail("cannot create directory", "/stub-calls");
    char path[PATH_MAX];
    snprintf(path, sizeof path, "/stub-calls/%s", name);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) fail("cannot open", path);
    write_all(fd, record.bytes, record.length, path);
    close(fd);
    free(record.bytes);
}

static void write_listed_file(char *line, const char *spec) {
    char *tab = strchr(line, '\t');
    if (tab == NULL || tab == line) {
        errno = EINVAL;
        fail("a line without \"<path>\\t\" in", spec);
    }
    *tab = '\0';
    struct buffer content = {0};
    for (const char *c = tab + 1; *c != '\0'; c++) {
        char decoded = *c;
        if (*c == '\\') {
            c++;
            if (*c == 'n') decoded = '\n';
            else if (*c == 't') decoded = '\t';
            else if (*c == '\\') decoded = '\\';
            else {
                errno = EINVAL;
                fail("an escape other than \\n, \\t or \\\\ in", spec);
            }
        }
        append(&content, &decoded, 1);
    }
    make_parents(line);
    int fd = open(line, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) fail("cannot create", line);
    write_all(fd, content.bytes, content.length, line);
    close(fd);
    free(content.bytes);
}

static void write_files(const char *name) {
    char spec[PATH_MAX];
    control_path(spec, sizeof spec, name, ".files");
    struct buffer lines = {0};
    if (!read_file(spec, &lines)) return;
    append(&lines, "", 1);
    for (char *line = lines.bytes; *line != '\0';) {
        char *end = strchr(line, '\n');
        if (end != NULL) *end = '\0';
        if (*line != '\0') write_listed_file(line, spec);
        if (end == NULL) break;
        line = end + 1;
    }
    free(lines.bytes);
}

static void copy_output(const char *name, const char *suffix, int fd) {
    char path[PATH_MAX];
    control_path(path, sizeof path, name, suffix);
    struct buffer output = {0};
    if (read_file(path, &output)) write_all(fd, output.bytes, output.length, suffix);
    free(output.bytes);
}

static void drain_pipe(void) {
    struct stat in;
    if (fstat(STDIN_FILENO, &in) != 0 || !S_ISFIFO(in.st_mode)) return;
    char chunk[4096];
    while (read(STDIN_FILENO, chunk, sizeof chunk) > 0) {
    }
}

static int exit_code(const char *name) {
    char path[PATH_MAX];
    control_path(path, sizeof path, name, ".exit");
    struct buffer text = {0};
    if (!read_file(path, &text)) return 0;
    append(&text, "", 1);
    char *end;
    long code = strtol(text.bytes, &end, 10);
    while (*end == '\n' || *end == ' ') end++;
    if (end == text.bytes || *end != '\0' || code < 0 || code > 255) {
        errno = EINVAL;
        fail("not an exit code (0-255) in", path);
    }
    free(text.bytes);
    return (int) code;
}

int main(int argc, char **argv) {
    const char *name = argc > 0 ? strrchr(argv[0], '/') : NULL;
    name = name != NULL ? name + 1 : argc > 0 ? argv[0] : "";
    if (*name == '\0') {
        errno = EINVAL;
        fail("cannot name the record of", "a call without argv[0]");
    }
    record_call(name, argc, argv);
    write_files(name);
    copy_output(name, ".stdout", STDOUT_FILENO);
    copy_output(name, ".stderr", STDERR_FILENO);
    drain_pipe();
    return exit_code(name);
}
