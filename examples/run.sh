#!/usr/bin/env bash
# Builds and runs the example apps against the artifacts the build just wrote (as CI does, from .ci/run):
#   1. mvn deploy -DskipTests writes charlstm's release artifacts into target/maven-repo (a file:// repository);
#   2. charlstm's own artifacts are removed from the local Maven repository, so the apps can only get them there;
#   3. examples/consumer is built and run on the classpath, on the module path, and as fat and slim shaded jars;
#   4. examples/gpu-consumer (onnxruntime_gpu instead of onnxruntime) is built and run: it falls back to the CPU.
# Prints the sizes and times the README quotes. Usage: examples/run.sh [--skip-deploy]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
if [ "${1:-}" != "--skip-deploy" ]; then
  mvn -B -q deploy -DskipTests -pl '!cli'
fi
rm -rf "${MAVEN_LOCAL_REPO:-$HOME/.m2/repository}/dev/charlstm"
cd "$root/examples/consumer"
mvn -B -q clean package
model="$root/models/moby-dick-int8"
echo "== classpath"
java -cp "target/classes:target/lib/*" example.consumer.Main "$model"
echo "== module path"
java -p "target/classes:target/lib" -m example.consumer/example.consumer.Main "$model"
echo "== fat jar"
java -jar target/charlstm-consumer-1.0-fat.jar "$model" | tail -2
echo "== slim jar (linux-x64 natives only)"
java -jar target/charlstm-consumer-1.0-slim-linux-x64.jar "$model" | tail -2
echo "== sizes"
echo "dependencies (target/lib): $(du -cb target/lib/*.jar | tail -1 | cut -f1) bytes in $(ls target/lib | wc -l) jars"
ls -l target/lib | awk 'NR>1 {print "  " $5 "  " $9}'
echo "fat jar: $(stat -c %s target/charlstm-consumer-1.0-fat.jar) bytes; slim jar: $(stat -c %s target/charlstm-consumer-1.0-slim-linux-x64.jar) bytes"
if [ -d "$root/examples/gpu-consumer" ]; then
  echo "== gpu-consumer (onnxruntime_gpu; no CUDA here: it must fall back)"
  cd "$root/examples/gpu-consumer"
  mvn -B -q clean package
  java -cp "target/classes:target/lib/*" example.gpu.Main "$model"
fi
# The README's Java snippets, each extracted from its section and run as written
for section in "Use the SDK from Java" "Make more of a list"; do
echo "== the README's snippet in \"$section\", extracted and run as written"
snippet="$root/target/readme-snippet"
rm -rf "$snippet" && mkdir -p "$snippet"
python3 - "$root/README.md" "$snippet/ReadmeSnippet.java" "$root" "$section" <<'PY'
import re, sys
readme = open(sys.argv[1], encoding="utf-8").read()
section = readme[readme.index("## " + sys.argv[4]):]
code = re.search(r"```java\n(.*?)```", section, re.S).group(1)
imports = "".join(l + "\n" for l in code.splitlines() if l.startswith("import "))
body = "".join(l + "\n" for l in code.splitlines() if not l.startswith("import "))
# the README's placeholder for the reader's clone is this checkout
body = body.replace("/path/to/charlstm", sys.argv[3])
open(sys.argv[2], "w", encoding="utf-8").write(imports + "\npublic class ReadmeSnippet {\n"
    "    public static void main(String[] args) throws Exception {\n" + body + "    }\n}\n")
PY
javac -d "$snippet" -cp "$root/examples/consumer/target/lib/*" "$snippet/ReadmeSnippet.java"
(cd "$root" && java -cp "$snippet:$root/examples/consumer/target/lib/*" ReadmeSnippet | tail -3)
done

