# Caravan's image: the service (`server --profile kubernetes`) and the trainer that TFJob pods run
# (caravan.kubernetes.training.command). Build the thin jar and its libraries first, then the image:
#   ./mvnw -B -DskipTests package
#   docker build -t ghcr.io/caravan-dev/caravan:0.1.0 .
# The GPU variant (caravan.kubernetes.training.gpu-image, run by built-in trainers that ask for
# caravan.kubernetes.training.gpu) is the same image with TensorFlow's CUDA build of the native library (classifier
# linux-x86_64-gpu). That build loads the CUDA runtime and cuDNN libraries (TensorFlow 2.18 is built against CUDA 12
# and cuDNN 9) from the image, and the driver from the node: give it a base that has them and a Java 17 runtime:
#   ./mvnw -B -Pgpu -DskipTests package
#   docker build --build-arg BASE_IMAGE=<CUDA 12 + cuDNN 9 + Java 17 image> -t ghcr.io/caravan-dev/caravan:0.1.0-gpu .
# TensorFlow Java's native library needs glibc: keep a glibc base (not Alpine).
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}

# Caches go to CARAVAN_HOME; TensorFlow unpacks its native library (~650 MB) into /tmp on first use. On Kubernetes the
# root filesystem is read-only and both are emptyDir volumes (k8s/base/caravan.yaml); the state is in PostgreSQL.
ENV CARAVAN_HOME=/var/lib/caravan \
    TF_CPP_MIN_LOG_LEVEL=2 \
    JAVA_TOOL_OPTIONS="-Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp"

RUN useradd --system --uid 10001 --home-dir /var/lib/caravan --create-home caravan

WORKDIR /app
# Libraries first: they change less often than Caravan's own jar, so this layer is reused.
COPY target/lib/ /app/lib/
COPY target/caravan.jar /app/caravan.jar
# Settings and routes are read from the working folder (./config, ./routes); the Deployment mounts its own config.
COPY config/ /app/config/
COPY routes/ /app/routes/

USER 10001
EXPOSE 8080
ENTRYPOINT ["java","-cp","/app/caravan.jar:/app/lib/*","dev.caravan.Caravan"]
CMD ["server","--profile","kubernetes"]
