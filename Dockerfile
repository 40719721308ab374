# syntax=docker/dockerfile:1
# greenroom's image: the wheel, installed into a virtualenv, run as a non-root user.
#
#   docker build -t greenroom .
#   docker run --rm greenroom demo                          # the tour, no Slack needed
#   docker run --rm -p 3000:3000 --env-file slack.env \
#     -v $PWD/greenroom.yaml:/etc/greenroom/greenroom.yaml:ro \
#     -e GREENROOM_CONFIG=/etc/greenroom/greenroom.yaml greenroom serve
#
# The build runs deploy/build.py, the same script CI runs through `make test`: build the
# wheel from a clean copy of the source, install it into a fresh virtualenv, and (in the final
# stage, as the user the image runs as) use it from an unrelated folder: demo, a worker job,
# serve answering /healthz and /readyz. See docs/deploy.md.

ARG PYTHON=3.11

# -- build: the wheel and a virtualenv holding it -------------------------------------------
FROM python:${PYTHON}-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/greenroom/wheelhouse \
    python deploy/build.py wheel --out /dist \
 && python deploy/build.py install /dist/greenroom-*.whl --venv /opt/greenroom \
 && /opt/greenroom/bin/python -m compileall -q /opt/greenroom/lib

# -- run: no compilers, no source tree, not root --------------------------------------------
FROM python:${PYTHON}-slim
# git: git catalog sources, clones for docs and migrations, scaffolded repositories;
# graphviz: diagrams in TechDocs sites; tini: PID 1 that forwards signals and reaps children.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git graphviz tini ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 --user-group greenroom \
 && install -d -o greenroom -g greenroom /var/lib/greenroom /etc/greenroom
COPY --from=build /opt/greenroom /opt/greenroom
ENV PATH=/opt/greenroom/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONSAFEPATH=1 \
    PORT=3000
USER greenroom
WORKDIR /var/lib/greenroom
# The smoke test, on the image as it ships: from an unrelated folder, as this user.
RUN --mount=type=bind,source=deploy/build.py,target=/tmp/build.py \
    python /tmp/build.py check --venv /opt/greenroom \
 && rm -rf /home/greenroom/.local /home/greenroom/.cache
EXPOSE 3000
# The web process answers /healthz; a worker container has no port, so it asks the database
# whether a worker beat recently instead.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)" \
   || greenroom worker --check
ENTRYPOINT ["tini", "--", "greenroom"]
CMD ["serve"]
