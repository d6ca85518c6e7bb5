/*
 * heavy.c - see heavy.h.
 */
#include "server/heavy.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

struct job {
	struct srv_api *api;
	const struct srv_request *rq;
	struct srv_reply *rp;
	int done;
};

struct srv_heavy {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct job **q;
	unsigned cap, head, n;
	pthread_t *th;
	unsigned nth;
	int stop;
};

static void *worker(void *arg)
{
	struct srv_heavy *h = arg;

	/* Linux nice is per thread: only these threads yield to the others. */
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
	pthread_mutex_lock(&h->mu);
	for (;;) {
		struct job *j;

		while (!h->n && !h->stop)
			pthread_cond_wait(&h->work, &h->mu);
		if (!h->n)
			break;
		j = h->q[h->head];
		h->head = (h->head + 1) % h->cap;
		h->n--;
		pthread_mutex_unlock(&h->mu);
		api_handle(j->api, j->rq, j->rp);
		pthread_mutex_lock(&h->mu);
		j->done = 1;
		pthread_cond_broadcast(&h->done);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

struct srv_heavy *srv_heavy_start(unsigned nworkers, unsigned waiting)
{
	struct srv_heavy *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->work, NULL);
	pthread_cond_init(&h->done, NULL);
	h->cap = waiting ? waiting : 1;
	h->q = calloc(h->cap, sizeof(*h->q));
	h->th = calloc(nworkers, sizeof(*h->th));
	if (!h->q || !h->th) {
		srv_heavy_stop(h);
		return NULL;
	}
	for (; h->nth < nworkers; h->nth++)
		if (pthread_create(&h->th[h->nth], NULL, worker, h) != 0) {
			srv_heavy_stop(h);
			return NULL;
		}
	return h;
}

int srv_heavy_run(struct srv_heavy *h, struct srv_api *api, const struct srv_request *rq,
		  struct srv_reply *rp)
{
	struct job j = { api, rq, rp, 0 };

	pthread_mutex_lock(&h->mu);
	/* the running ones have left the queue: it holds the waiting only */
	if (h->n == h->cap || h->stop) {
		pthread_mutex_unlock(&h->mu);
		return -1;
	}
	h->q[(h->head + h->n) % h->cap] = &j;
	h->n++;
	pthread_cond_signal(&h->work);
	while (!j.done)
		pthread_cond_wait(&h->done, &h->mu);
	pthread_mutex_unlock(&h->mu);
	return 0;
}

void srv_heavy_stop(struct srv_heavy *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->mu);
	h->stop = 1;
	pthread_cond_broadcast(&h->work);
	pthread_mutex_unlock(&h->mu);
	for (unsigned i = 0; i < h->nth; i++)
		pthread_join(h->th[i], NULL);
	pthread_cond_destroy(&h->work);
	pthread_cond_destroy(&h->done);
	pthread_mutex_destroy(&h->mu);
	free(h->q);
	free(h->th);
	free(h);
}
