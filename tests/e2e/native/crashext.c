/* A C extension that crashes the way real ones do, for the native-stack tests: a write through
 * NULL two static helpers deep, and two threads that deadlock on two mutexes. Built by the tests
 * with Python's headers (-O0 -g: every frame stays a frame, with its line). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pthread.h>
#include <unistd.h>

__attribute__((noinline)) int crash_in_native(int *where, int value) {
    *where = value; /* CRASH LINE */
    return value + 1;
}

static __attribute__((noinline)) int second_helper(int *where) {
    return crash_in_native(where, 7) + 1; /* SECOND HELPER LINE */
}

static __attribute__((noinline)) int first_helper(int *where) {
    return second_helper(where) + 1; /* FIRST HELPER LINE */
}

static PyObject *crash(PyObject *self, PyObject *args) {
    volatile int *nowhere = NULL;
    return PyLong_FromLong(first_helper((int *)nowhere));
}

static pthread_mutex_t first = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t second = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;

static __attribute__((noinline)) void *lock_first_then_second(void *unused) {
    pthread_mutex_lock(&first);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&second); /* never returns */
    return unused;
}

static __attribute__((noinline)) void *lock_second_then_first(void *unused) {
    pthread_mutex_lock(&second);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&first); /* never returns */
    return unused;
}

/* Starts the two threads and waits for them, forever, holding the GIL (as C code may). */
static PyObject *deadlock(PyObject *self, PyObject *args) {
    pthread_t a, b;
    pthread_barrier_init(&both_hold_one, NULL, 2);
    pthread_create(&a, NULL, lock_first_then_second, NULL);
    pthread_create(&b, NULL, lock_second_then_first, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"crash", crash, METH_NOARGS, "write through NULL, two static helpers deep"},
    {"deadlock", deadlock, METH_NOARGS, "two threads that each wait for the other's mutex"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "crashext", NULL, -1, methods};

PyMODINIT_FUNC PyInit_crashext(void) { return PyModule_Create(&module); }
