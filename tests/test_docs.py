"""The docs stay true to the code. The conventions that docs/*.md and README.md follow:

1. Code references are Markdown links to files of the repository, relative to the
   page: [`nanogan/nn/conv.py`](../nanogan/nn/conv.py). A link whose text is one
   name in backticks, [`Conv2d.backward`](../nanogan/nn/conv.py), names a function,
   class, method or constant defined in that very file (found with ast).
2. A path in backticks in prose, `nanogan/nn/conv.py`, is written from the
   repository root and must exist when it starts with a folder of the repository.
   A backticked `Class.attribute` of a nanogan class, and a backticked
   `nanogan.module.name`, must resolve.
3. Every command in a ```bash block is run here with arguments that make it fast
   (COMMANDS_RUN), or matches a rule in COMMANDS_NOT_RUN that says why not.
   A command whose script is not written yet (PENDING) is skipped, saying so.
4. Every ```python block runs, in page order, one namespace per page, unless the
   line before it is `<!-- not run: reason -->`.
5. Each backward pass and its page share symbols (SHARED_SYMBOLS): each symbol is
   in the function's comments and in the page's code, and the page links the function.

A path that another issue is still writing (PENDING) may be referenced before it
exists; once it exists it is checked like any other.
"""

import ast
import importlib
import inspect
import io
import linecache
import os
import re
import shlex
import subprocess
import sys
import tempfile
import textwrap
import tokenize
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])

# Written concurrently by other issues; references to them are allowed before they exist.
PENDING = set()

# Top-level folders of the repository: a backticked path starting with one of them is a reference.
REPOSITORY_FOLDERS = ("nanogan", "tests", "examples", "benchmarks", "docs", "scripts", ".ci")

# Command prefix -> (arguments appended to make it fast, options removed first because they
# conflict with the appended ones). "{out}" becomes a fresh temporary folder.
COMMANDS_RUN = {
    "python examples/toy_gaussian.py": (["--steps", "20", "--out", "{out}"], ()),
    "python examples/gaussian_ring.py": (["--steps", "20", "--out", "{out}"], ()),
    "python scripts/draw_figures.py": (["--out", "{out}"], ()),
    "python scripts/toy_gan_log.py": (
        ["--steps", "30", "--seeds", "1", "--right-mean-steps", "10", "--right-mean-seeds", "1", "--ring-steps", "20",
         "--ring-seeds", "1", "--jobs", "1", "--out", "{out}"],
        (),
    ),
    "python examples/celeba_dcgan.py": (
        ["--data", "synthetic", "--limit", "64", "--max-steps", "2", "--batch-size", "8", "--image-size", "32",
         "--ngf", "8", "--ndf", "8", "--no-progress", "--out", "{out}"],
        ("--epochs",),
    ),
}

# (pattern searched in the command, why it is not run in CI). First match wins; these are
# checked before COMMANDS_RUN, so `... --backend cupy` is never run without a GPU.
COMMANDS_NOT_RUN = [
    (r"^pip install\b", "installs packages"),
    (r"^(python -m )?pytest\b", "runs the test suite, which CI runs directly"),
    (r"--backend[ =](cupy|cuda)\b|--tf32|\bgpu_check\b|\bgpu_step_time\b", "needs an NVIDIA GPU with CuPy"),
    (r"--data[ =](?!synthetic\b)", "needs CelebA, which users download by hand"),
    (r"--generate\b|--resume\b", "needs a checkpoint from an earlier training run"),
    (r"^python benchmarks/", "a benchmark: takes minutes, and compares with PyTorch"),
    (r"^python scripts/(train_face_classifier|face_benchmark_table)\.py", "trains for minutes: the page has its output"),
    (r"^python examples/evaluate\.py.*--features[ =]faces", "needs a trained DCGAN checkpoint: the page has its output"),
    (r"^python examples/evaluate\.py|--eval-every\b(?!.*--eval-features[ =]faces)",
     "needs pytorch-fid's Inception weights, which CI cannot download"),
]

# (page, file, function, symbols): each symbol appears in the function's comments and in
# the page's code (inline code or code blocks), and the page links the function.
SHARED_SYMBOLS = [
    ("docs/linear.md", "nanogan/nn/linear.py", "Linear.backward", ["g", "x", "W", "dW", "db", "dx"]),
    ("docs/activations.md", "nanogan/nn/activation.py", "ReLU.backward", ["g", "x", "y", "dx"]),
    ("docs/activations.md", "nanogan/nn/activation.py", "LeakyReLU.backward", ["g", "negative_slope", "dx"]),
    ("docs/activations.md", "nanogan/nn/activation.py", "Tanh.backward", ["g", "y", "dx"]),
    ("docs/activations.md", "nanogan/nn/activation.py", "Sigmoid.backward", ["g", "y", "dx"]),
    ("docs/losses.md", "nanogan/nn/loss.py", "BCELoss.backward", ["p", "y", "m"]),
    ("docs/losses.md", "nanogan/nn/loss.py", "BCEWithLogitsLoss.forward", ["softplus", "s", "y", "sigmoid"]),
    ("docs/losses.md", "nanogan/nn/loss.py", "BCEWithLogitsLoss.backward", ["sigmoid", "s", "y", "m"]),
    ("docs/losses.md", "nanogan/nn/loss.py", "MSELoss.backward", ["x", "y", "m"]),
    ("docs/convolution.md", "nanogan/kernels/im2col.py", "im2col", ["columns", "x"]),
    ("docs/convolution.md", "nanogan/kernels/im2col.py", "col2im", ["columns", "x"]),
    ("docs/convolution.md", "nanogan/nn/conv.py", "Conv2d.forward", ["y", "W_matrix", "columns"]),
    ("docs/convolution.md", "nanogan/nn/conv.py", "Conv2d.backward",
     ["g", "columns", "W_matrix", "col2im", "dW", "dx"]),
    ("docs/convolution.md", "nanogan/nn/conv.py", "_ConvNd._accumulate_bias_grad", ["db", "g"]),
    ("docs/transposed-convolution.md", "nanogan/nn/conv.py", "ConvTranspose2d.forward",
     ["y", "col2im", "W_matrix", "x_matrix"]),
    ("docs/transposed-convolution.md", "nanogan/nn/conv.py", "ConvTranspose2d.backward",
     ["x_matrix", "columns", "W_matrix", "dW", "dx"]),
    ("docs/batchnorm.md", "nanogan/nn/batchnorm.py", "_BatchNorm.backward", ["g", "x_hat", "dgamma", "dbeta", "dx"]),
    ("docs/batchnorm.md", "nanogan/kernels/batchnorm.py", "batch_norm_backward",
     ["g", "x_hat", "inv_std", "gamma", "mean", "dx"]),
    ("docs/adam.md", "nanogan/kernels/adam.py", "adam_step",
     ["m", "v", "g", "beta1", "beta2", "t", "lr", "eps", "param"]),
    ("docs/adam.md", "nanogan/optim/sgd.py", "SGD.step", ["b", "g", "momentum", "dampening", "lr", "param"]),
    ("docs/gan.md", "nanogan/training.py", "train_step", ["L_D", "L_G", "D", "G"]),
    ("docs/gradient-checking.md", "nanogan/gradcheck.py", "numerical_gradient", ["dy", "y", "h"]),
    ("docs/worked-example.md", "nanogan/nn/linear.py", "Linear.backward", ["g", "x", "W", "dW", "db", "dx"]),
    ("docs/worked-example.md", "nanogan/nn/activation.py", "LeakyReLU.backward", ["g", "negative_slope", "dx"]),
    ("docs/worked-example.md", "nanogan/nn/activation.py", "Sigmoid.backward", ["g", "y", "dx"]),
    ("docs/pooling.md", "nanogan/nn/pooling.py", "MaxPool2d.backward", ["g", "dx"]),
    ("docs/pooling.md", "nanogan/nn/pooling.py", "AvgPool2d.backward", ["g", "count", "dx"]),
    ("docs/pooling.md", "nanogan/nn/upsample.py", "Upsample.backward", ["A_h", "g", "A_w", "dx"]),
    ("docs/pooling.md", "nanogan/nn/concat.py", "Concat.backward", ["g", "dx_i"]),
    ("docs/double-backward.md", "nanogan/nn/linear.py", "Linear.double_backward", ["g", "v", "dP/dW", "dP/dg"]),
    ("docs/double-backward.md", "nanogan/nn/conv.py", "Conv2d.double_backward",
     ["g", "im2col(v)", "W_matrix", "dP/dW", "dP/dg"]),
    ("docs/double-backward.md", "nanogan/nn/minibatch_std.py", "MinibatchStdDev.double_backward",
     ["v", "d", "sd", "g_s", "dP/dz"]),
    ("docs/double-backward.md", "nanogan/penalties.py", "R1Penalty.__call__", ["dP/du", "gamma", "u", "m"]),
    ("docs/double-backward.md", "nanogan/penalties.py", "GradientPenalty.__call__", ["dP/du_i", "|u_i|", "m"]),
    ("docs/objectives.md", "nanogan/objectives.py", "LeastSquares._half_square", ["dloss/ds", "s", "t", "m"]),
    ("docs/objectives.md", "nanogan/nn/spectral_norm.py", "SpectralNorm._through_module",
     ["dW", "dW_sn", "sigma", "u", "v"]),
]


# -- reading Markdown -------------------------------------------------------------------

FENCE = re.compile(r"^(\s*)(```+)\s*([\w+-]*)")
LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
INLINE_CODE = re.compile(r"`([^`\n]+)`")
NOT_RUN = re.compile(r"<!--\s*not run:\s*\S.*-->")
NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)?")


def relative(path):
    return path.relative_to(ROOT).as_posix()


@lru_cache(maxsize=None)
def parse_page(path):
    """(prose with code blocks blanked out, [(language, code, line number, line before)])."""
    prose, blocks = [], []
    lines = path.read_text(encoding="utf-8").split("\n")
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            prose.append(lines[index])
            index += 1
            continue
        indent, fence, language = len(match.group(1)), match.group(2), match.group(3)
        before = next((line for line in reversed(lines[:index]) if line.strip()), "")
        start, index = index, index + 1
        body = []
        while index < len(lines) and not lines[index].strip().startswith(fence):
            body.append(lines[index][indent:] if lines[index][:indent].isspace() else lines[index])
            index += 1
        assert index < len(lines), f"{relative(path)}:{start + 1}: unclosed code block"
        blocks.append((language, "\n".join(body) + "\n", start + 1, before))
        prose.extend([""] * (index - start + 1))
        index += 1
    return "\n".join(prose), blocks


def page_code_text(path):
    """All code on a page: inline code spans of the prose and every code block."""
    prose, blocks = parse_page(path)
    return "\n".join(INLINE_CODE.findall(prose) + [code for _, code, _, _ in blocks])


def contains_symbol(text, symbol):
    return re.search(rf"(?<![\w]){re.escape(symbol)}(?![\w])", text) is not None


# -- what the repository defines ------------------------------------------------------------


@lru_cache(maxsize=None)
def defined_names(path):
    """Names defined at the top level of a Python file, and Class.member for its classes."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        names.update(assigned_names(node))
        if isinstance(node, ast.ClassDef):
            names.update(f"{node.name}.{member}" for member in class_members(node))
    return names


def assigned_names(node):
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    return {target.id for target in targets if isinstance(target, ast.Name)}


def class_members(class_node):
    """Methods, class attributes, and attributes assigned as self.name in any method."""
    members = set()
    for item in class_node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            members.add(item.name)
            for node in ast.walk(item):
                if (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
                        and isinstance(node.value, ast.Name) and node.value.id == "self"):
                    members.add(node.attr)
        members.update(assigned_names(item))
    return members


@lru_cache(maxsize=None)
def nanogan_classes():
    """Class name -> (members, base class names), over every file of the package."""
    classes = {}
    for path in sorted((ROOT / "nanogan").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = [base.id if isinstance(base, ast.Name) else getattr(base, "attr", "") for base in node.bases]
                members, old_bases = classes.get(node.name, (set(), []))
                classes[node.name] = (members | class_members(node), old_bases + bases)
    return classes


def class_has_member(class_name, member, seen=()):
    if class_name not in nanogan_classes() or class_name in seen:
        return False
    members, bases = nanogan_classes()[class_name]
    return member in members or any(class_has_member(base, member, seen + (class_name,)) for base in bases)


def resolve_module_path(dotted):
    """True when `nanogan.a.b` names an importable module or an attribute of one."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


# -- 1 and 2: references --------------------------------------------------------------------


def reference_problems(page):
    prose, _ = parse_page(page)
    problems = []
    for text, target in LINK.findall(prose):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue  # a web address or an anchor on the same page
        resolved = (page.parent / target.split("#")[0]).resolve()
        try:
            in_repository = relative(resolved)
        except ValueError:
            problems.append(f"link to {target} points outside the repository")
            continue
        if not resolved.exists():
            if in_repository not in PENDING:
                problems.append(f"link to {target}: {in_repository} does not exist")
            continue
        name = re.fullmatch(r"`([^`]+)`", text.strip())
        if name and resolved.suffix == ".py" and NAME.fullmatch(name.group(1)):
            if name.group(1) not in defined_names(resolved):
                problems.append(f"[`{name.group(1)}`]({target}): {name.group(1)} is not defined in {in_repository}")
    for code in INLINE_CODE.findall(prose):
        code = code.strip()
        if re.fullmatch(r"[\w.-]+(/[\w.-]+)+/?", code) and code.split("/")[0] in REPOSITORY_FOLDERS:
            if not (ROOT / code).exists() and code.rstrip("/") not in PENDING:
                problems.append(f"`{code}` does not exist")
        elif re.fullmatch(r"_?[A-Z]\w*\.[A-Za-z_]\w*", code):
            class_name, member = code.split(".")
            if class_name in nanogan_classes() and not class_has_member(class_name, member):
                problems.append(f"`{code}`: {class_name} has no {member}")
        elif re.fullmatch(r"nanogan(\.\w+)+", code) and not resolve_module_path(code):
            problems.append(f"`{code}` does not resolve")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=relative)
def test_code_references_exist(page):
    problems = reference_problems(page)
    assert not problems, f"{relative(page)}:\n  " + "\n  ".join(problems)


def test_every_docs_page_is_reachable_from_the_index():
    index_links = {target for _, target in LINK.findall(parse_page(ROOT / "docs" / "README.md")[0])}
    for page in PAGES:
        if page.parent.name == "docs" and page.name != "README.md":
            assert page.name in index_links, f"docs/README.md does not link {page.name}"


# -- 3: commands ------------------------------------------------------------------------------


def shell_commands():
    """(page, line, command) for every command in a bash block; `a && b` gives two."""
    found = []
    for page in PAGES:
        for language, code, line, _ in parse_page(page)[1]:
            if language not in ("bash", "sh", "shell"):
                continue
            lines = code.split("\n")
            index = 0
            while index < len(lines):
                start, text = index, lines[index]
                while text.endswith("\\") and index + 1 < len(lines):  # a command continued on the next line
                    index += 1
                    text = text[:-1] + " " + lines[index]
                index += 1
                tokens = shlex.split(text, comments=True)
                while tokens:
                    command = tokens[: tokens.index("&&")] if "&&" in tokens else tokens
                    tokens = tokens[len(command) + 1 :]
                    if command:
                        found.append((page, line + 1 + start, command))
    return found


def script_of(command):
    """The repository file a command runs (python path.py / bash path.sh / ./path), or None."""
    words = [word for word in command if not re.fullmatch(r"[A-Za-z_]\w*=.*", word)]
    for word in words[:3]:
        if re.fullmatch(r"(\./)?[\w.-]+(/[\w.-]+)+\.(py|sh)", word):
            return word[2:] if word.startswith("./") else word
    return None


def with_fast_arguments(command, extra, drop, out_dir):
    kept, index = [], 0
    replaced = {word for word in extra if word.startswith("--")} | set(drop)
    while index < len(command):
        word = command[index]
        option = word.split("=")[0]
        if option in replaced:
            takes_value = "=" not in word and index + 1 < len(command) and not command[index + 1].startswith("--")
            index += 2 if takes_value else 1
            continue
        kept.append(word)
        index += 1
    return kept + [word.replace("{out}", str(out_dir)) for word in extra]


def plan(command):
    """What to do with a command: ("missing", script), ("help", script, reason), ("skip", reason),
    ("unknown",) or ("run", argv). Decided without running anything."""
    script = script_of(command)
    if script is not None and not (ROOT / script).exists():
        return ("missing", script)
    text = shlex.join(command)
    for pattern, reason in COMMANDS_NOT_RUN:
        if re.search(pattern, text):
            return ("help", script, reason) if script is not None and script.endswith(".py") else ("skip", reason)
    prefix = next((prefix for prefix in COMMANDS_RUN if text.startswith(prefix)), None)
    if prefix is None:
        return ("unknown",)
    extra, drop = COMMANDS_RUN[prefix]
    return ("run", with_fast_arguments(command, extra, drop, "{out}"))


def run(argv):
    """Run argv from the repository root in a fresh output folder; (exit code, output)."""
    with tempfile.TemporaryDirectory() as out_dir:
        argv = [sys.executable if word == "python" else word.replace("{out}", os.path.join(out_dir, "out"))
                for word in argv]
        # one BLAS thread each: the commands run side by side, and their arrays are small
        env = {**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1"}
        result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    return result.returncode, result.stdout[-20000:] + result.stderr[-3000:]  # a whole --help, and the end of the rest


@pytest.fixture(scope="module")
def started_commands():
    """Every command that will run, and every --help a skipped command is checked against,
    started at once on a few threads (they are separate processes): tuple(argv) -> future."""
    jobs = set()
    for _, _, command in shell_commands():
        decision = plan(command)
        if decision[0] == "run":
            jobs.add(tuple(decision[1]))
        elif decision[0] == "help":
            jobs.add(("python", decision[1], "--help"))
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        yield {job: pool.submit(run, list(job)) for job in sorted(jobs)}


@pytest.mark.parametrize("page, line, command", shell_commands(),
                         ids=lambda value: relative(value) if isinstance(value, Path) else
                         (" ".join(value)[:60] if isinstance(value, list) else str(value)))
def test_shell_command_runs_or_says_why_not(page, line, command, started_commands):
    where = f"{relative(page)}:{line}: {shlex.join(command)}"
    decision = plan(command)
    kind = decision[0]
    if kind == "missing":
        assert decision[1] in PENDING, f"{where}: {decision[1]} does not exist"
        pytest.skip(f"{decision[1]} is not written yet (another issue); {where}")
    if kind == "help":
        _, script, reason = decision
        code, usage = started_commands[("python", script, "--help")].result()
        assert code == 0, f"{where}: `{script} --help` failed:\n{usage}"
        for option in re.findall(r"(?<!\S)(--[\w-]+)", shlex.join(command)):
            assert option in usage, f"{where}: {script} has no option {option}"
        kind, decision = "skip", ("skip", reason)
    if kind == "skip":
        pytest.skip(f"not run in CI: {decision[1]}")
    assert kind == "run", (
        f"{where}: add this command to COMMANDS_RUN (with fast arguments) or COMMANDS_NOT_RUN "
        f"(with the reason) in tests/test_docs.py")
    code, output = started_commands[tuple(decision[1])].result()
    assert code == 0, f"{where}\nran: {shlex.join(decision[1])}\n{output}"


# -- 4: python blocks ----------------------------------------------------------------------------


def pages_with_python():
    return [page for page in PAGES if any(language == "python" for language, *_ in parse_page(page)[1])]


@pytest.mark.parametrize("page", pages_with_python(), ids=relative)
def test_python_blocks_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace = {"__name__": "__docs__"}
    ran = 0
    for language, code, line, before in parse_page(page)[1]:
        if language != "python" or NOT_RUN.search(before):
            continue
        filename = f"{relative(page)}, python block at line {line}"
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)  # readable tracebacks
        exec(compile(code, filename, "exec"), namespace)  # noqa: S102 -- our own docs
        ran += 1
    assert ran, f"{relative(page)} has python blocks but none runs"


# -- 5: symbols shared by a backward pass and its page ---------------------------------------------


def function_of(file, qualified_name):
    module = importlib.import_module(file[: -len(".py")].replace("/", "."))
    target = module
    for name in qualified_name.split("."):
        target = getattr(target, name)
    return target


def comments_of(function):
    source = textwrap.dedent(inspect.getsource(function))
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return "\n".join(token.string for token in tokens if token.type == tokenize.COMMENT)


@pytest.mark.parametrize("page, file, function, symbols", SHARED_SYMBOLS, ids=lambda value: str(value)
                         if not isinstance(value, list) else ",".join(value))
def test_backward_comments_and_page_share_symbols(page, file, function, symbols):
    comments = comments_of(function_of(file, function))
    page_path = ROOT / page
    code_on_page = page_code_text(page_path)
    missing_in_code = [symbol for symbol in symbols if not contains_symbol(comments, symbol)]
    missing_on_page = [symbol for symbol in symbols if not contains_symbol(code_on_page, symbol)]
    assert not missing_in_code, f"the comments of {function} in {file} do not mention {missing_in_code}"
    assert not missing_on_page, f"{page} does not show {missing_on_page} in code (inline or block)"
    links = {(text.strip("` "), (page_path.parent / target).resolve()) for text, target in
             LINK.findall(parse_page(page_path)[0])}
    assert (function, (ROOT / file).resolve()) in links, f"{page} does not link [`{function}`]({file})"
