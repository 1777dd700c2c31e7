/*
 * adaptive_steps.js: the interactive figures of "Adaptive Steps" without a Python kernel.
 *
 * One dependency-free file with two halves:
 *
 * 1. Numerics (run under node and in the browser): the update rules of d2l_opt.rules (SGD with
 *    heavy-ball or Nesterov momentum, Adagrad, RMSprop incl. centered and momentum, Adam incl.
 *    AMSGrad, AdamW), the 2-D problems of d2l_opt.problems (quadratics turned by an angle,
 *    Rosenbrock, any problem rotated), a trajectory runner (d2l_opt.trajectory.run), leaky
 *    averages (d2l_opt.ewma) and the convergence rate of heavy-ball momentum on a quadratic.
 *    Every floating-point expression is written in the same order as in the Python code, so
 *    float64 trajectories agree with d2l_opt to round-off (a test checks 1e-9 over 200 steps).
 *
 * 2. Figures (browser only): AdaptiveSteps.mount(element, config) builds the controls and an
 *    SVG for one of three figures ("trajectory", "ewma", "eigen"); config comes from
 *    d2l_opt.widgets. Each trajectory polyline carries data-optimizer and data-trajectory (JSON
 *    of the raw coordinates, null where not finite), so tests can read values without pixels.
 *
 * Exposed as window.AdaptiveSteps in a browser and as module.exports under node. No AMD define:
 * book pages load RequireJS, which would reject an anonymous module.
 */
(function (root) {
  "use strict";

  // ------------------------------------------------------------------------------------------
  // Update rules (mirror d2l_opt/rules.py line by line, one coordinate at a time)
  // ------------------------------------------------------------------------------------------

  var RULE_DEFAULTS = {
    sgd: { lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weight_decay: 0, maximize: false },
    adagrad: {
      lr: 1e-2, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10,
      eps_inside_sqrt: false, maximize: false,
    },
    rmsprop: {
      lr: 1e-2, alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false,
      eps_inside_sqrt: false, maximize: false,
    },
    adam: {
      lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, decoupled_weight_decay: false,
      amsgrad: false, eps_inside_sqrt: false, maximize: false,
    },
    adamw: {
      lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 1e-2, decoupled_weight_decay: true,
      amsgrad: false, eps_inside_sqrt: false, maximize: false,
    },
  };

  function withDefaults(spec) {
    var type = String(spec.type).toLowerCase();
    var defaults = RULE_DEFAULTS[type];
    if (!defaults) throw new Error("unknown update rule: " + spec.type);
    var h = { type: type };
    Object.keys(defaults).forEach(function (key) {
      h[key] = spec[key] === undefined || spec[key] === null ? defaults[key] : spec[key];
    });
    return h;
  }

  function zeros(n) {
    var out = new Array(n);
    for (var i = 0; i < n; i++) out[i] = 0;
    return out;
  }

  // ops.leaky_average(old, new, beta) = beta * old + (1 - beta) * new, which numpy (for a
  // scalar beta) and torch (lerp) evaluate as old + (1 - beta) * (new - old)
  function leaky(old, nw, beta) {
    return old + (1 - beta) * (nw - old);
  }

  // ops.addcdiv(x, a, b, value) = x + value * (a / b)
  function addcdiv(x, a, b, value) {
    return x + value * (a / b);
  }

  // beta ** step as Python (C's pow) computes it: correctly rounded. V8's Math.pow is not
  // (Math.pow(0.9, 4) is 0.6561000000000001), so multiply in double-double arithmetic
  // (error-free products by Dekker's splitting) and round once at the end.
  function twoProduct(a, b) {
    var p = a * b;
    var ca = 134217729 * a, ah = ca - (ca - a), al = a - ah;
    var cb = 134217729 * b, bh = cb - (cb - b), bl = b - bh;
    return [p, ((ah * bh - p) + ah * bl + al * bh) + al * bl];
  }

  function ddMul(x, y) {
    var p = twoProduct(x[0], y[0]);
    var e = p[1] + (x[0] * y[1] + x[1] * y[0]);
    var hi = p[0] + e;
    return [hi, e - (hi - p[0])];
  }

  function powInt(base, n) {
    if (!isFinite(base) || Math.abs(base) > 1 || n < 0 || n !== Math.floor(n)) {
      return Math.pow(base, n);
    }
    var result = [1, 0], power = [base, 0];
    while (n > 0) {
      if (n % 2 === 1) result = ddMul(result, power);
      power = ddMul(power, power);
      n = Math.floor(n / 2);
    }
    return result[0] + result[1];
  }

  // Gradient after maximize and (coupled) weight decay: the first lines of every rule.
  function effectiveGrad(h, x, grad) {
    var g = h.maximize ? -grad : grad;
    if (h.weight_decay !== 0) g = g + h.weight_decay * x;
    return g;
  }

  function sgdUpdate(h, x, grad, state) {
    var n = x.length, step = state.step + 1, out = new Array(n);
    var next = { step: step };
    var hasMomentum = h.momentum !== 0;
    if (hasMomentum) next.momentum_buffer = new Array(n);
    for (var i = 0; i < n; i++) {
      var g = effectiveGrad(h, x[i], grad[i]);
      if (hasMomentum) {
        var v;
        if (step === 1) v = g; // torch's first step: the buffer is the gradient itself
        else v = h.momentum * state.momentum_buffer[i] + (1 - h.dampening) * g;
        next.momentum_buffer[i] = v;
        g = h.nesterov ? g + h.momentum * v : v;
      }
      out[i] = x[i] - h.lr * g;
    }
    return [out, next];
  }

  function adagradUpdate(h, x, grad, state) {
    var n = x.length, step = state.step + 1, out = new Array(n);
    var next = { step: step, sum: new Array(n) };
    var lrT = h.lr / (1 + (step - 1) * h.lr_decay);
    for (var i = 0; i < n; i++) {
      var g = effectiveGrad(h, x[i], grad[i]);
      var s = state.sum[i] + g * g;
      next.sum[i] = s;
      var denom = h.eps_inside_sqrt ? Math.sqrt(s + h.eps) : Math.sqrt(s) + h.eps;
      out[i] = addcdiv(x[i], g, denom, -lrT);
    }
    return [out, next];
  }

  function rmspropUpdate(h, x, grad, state) {
    var n = x.length, step = state.step + 1, out = new Array(n);
    var next = { step: step, square_avg: new Array(n) };
    var hasMomentum = h.momentum !== 0;
    if (hasMomentum) next.momentum_buffer = new Array(n);
    if (h.centered) next.grad_avg = new Array(n);
    for (var i = 0; i < n; i++) {
      var g = effectiveGrad(h, x[i], grad[i]);
      var s = leaky(state.square_avg[i], g * g, h.alpha);
      next.square_avg[i] = s;
      if (h.centered) {
        var gAvg = leaky(state.grad_avg[i], g, h.alpha);
        next.grad_avg[i] = gAvg;
        s = s - gAvg * gAvg;
      }
      var denom = h.eps_inside_sqrt ? Math.sqrt(s + h.eps) : Math.sqrt(s) + h.eps;
      if (hasMomentum) {
        var b = addcdiv(h.momentum * state.momentum_buffer[i], g, denom, 1.0);
        next.momentum_buffer[i] = b;
        out[i] = x[i] - h.lr * b;
      } else {
        out[i] = addcdiv(x[i], g, denom, -h.lr);
      }
    }
    return [out, next];
  }

  function adamUpdate(h, x, grad, state) {
    var n = x.length, step = state.step + 1, out = new Array(n);
    var beta1 = h.betas[0], beta2 = h.betas[1];
    var next = { step: step, exp_avg: new Array(n), exp_avg_sq: new Array(n) };
    if (h.amsgrad) next.max_exp_avg_sq = new Array(n);
    var biasCorrection1 = 1 - powInt(beta1, step);
    var biasCorrection2 = 1 - powInt(beta2, step);
    // lr/bc1 * m / (sqrt(v/bc2) + eps) == stepSize * m / (sqrt(v) + eps*sqrt(bc2));
    // Python's bc2 ** 0.5 is C's correctly rounded pow, i.e. the square root
    var rootBc2 = Math.sqrt(biasCorrection2);
    var stepSize = h.lr * rootBc2 / biasCorrection1;
    for (var i = 0; i < n; i++) {
      var g = h.maximize ? -grad[i] : grad[i];
      var xd = x[i];
      if (h.weight_decay !== 0) {
        if (h.decoupled_weight_decay) xd = x[i] * (1 - h.lr * h.weight_decay);
        else g = g + h.weight_decay * x[i];
      }
      var m = leaky(state.exp_avg[i], g, beta1);
      var v = leaky(state.exp_avg_sq[i], g * g, beta2);
      next.exp_avg[i] = m;
      next.exp_avg_sq[i] = v;
      if (h.amsgrad) {
        v = Math.max(state.max_exp_avg_sq[i], v);
        next.max_exp_avg_sq[i] = v;
      }
      var denom = h.eps_inside_sqrt
        ? Math.sqrt(v + h.eps * biasCorrection2)
        : Math.sqrt(v) + h.eps * rootBc2;
      out[i] = addcdiv(xd, m, denom, -stepSize);
    }
    return [out, next];
  }

  var UPDATES = {
    sgd: sgdUpdate, adagrad: adagradUpdate, rmsprop: rmspropUpdate, adam: adamUpdate,
    adamw: adamUpdate,
  };

  /** Build a rule from a spec {type: "sgd"|"adagrad"|"rmsprop"|"adam"|"adamw", ...}. */
  function makeRule(spec) {
    var h = withDefaults(spec);
    if (h.type === "sgd" && h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) {
      throw new Error("Nesterov momentum requires a momentum and zero dampening");
    }
    return {
      hyper: h,
      init: function (x) {
        var n = x.length, state = { step: 0 };
        if (h.type === "sgd") {
          if (h.momentum !== 0) state.momentum_buffer = zeros(n);
        } else if (h.type === "adagrad") {
          state.sum = zeros(n).map(function (z) { return z + h.initial_accumulator_value; });
        } else if (h.type === "rmsprop") {
          state.square_avg = zeros(n);
          if (h.momentum !== 0) state.momentum_buffer = zeros(n);
          if (h.centered) state.grad_avg = zeros(n);
        } else {
          state.exp_avg = zeros(n);
          state.exp_avg_sq = zeros(n);
          if (h.amsgrad) state.max_exp_avg_sq = zeros(n);
        }
        return state;
      },
      update: function (x, grad, state) {
        return UPDATES[h.type](h, x, grad, state);
      },
    };
  }

  // ------------------------------------------------------------------------------------------
  // Problems (mirror d2l_opt/problems.py)
  // ------------------------------------------------------------------------------------------

  function rotationMatrix(theta) {
    var c = Math.cos(theta), s = Math.sin(theta);
    return [[c, -s], [s, c]];
  }

  // (A @ B) for 2x2 matrices, summing in index order like a plain dot product.
  function matmul2(A, B) {
    return [
      [A[0][0] * B[0][0] + A[0][1] * B[1][0], A[0][0] * B[0][1] + A[0][1] * B[1][1]],
      [A[1][0] * B[0][0] + A[1][1] * B[1][0], A[1][0] * B[0][1] + A[1][1] * B[1][1]],
    ];
  }

  function transpose2(A) {
    return [[A[0][0], A[1][0]], [A[0][1], A[1][1]]];
  }

  /** f(x) = a u1^2 + b u2^2 with u = R(theta)^T x, i.e. x^T A x, A = R diag(a, b) R^T. */
  function quadratic(a, b, theta) {
    theta = theta || 0;
    var r = rotationMatrix(theta);
    var A = matmul2(matmul2(r, [[a, 0], [0, b]]), transpose2(r));
    return {
      type: "quadratic", a: a, b: b, theta: theta, matrix: A, minimizer: [0, 0],
      value: function (x) {
        var ax0 = A[0][0] * x[0] + A[0][1] * x[1];
        var ax1 = A[1][0] * x[0] + A[1][1] * x[1];
        return x[0] * ax0 + x[1] * ax1;
      },
      grad: function (x) { // 2 * x @ A.T
        var x0 = 2 * x[0], x1 = 2 * x[1];
        return [x0 * A[0][0] + x1 * A[0][1], x0 * A[1][0] + x1 * A[1][1]];
      },
    };
  }

  /** Rosenbrock's valley (a - x1)^2 + b (x2 - x1^2)^2. */
  function rosenbrock(a, b) {
    a = a === undefined ? 1 : a;
    b = b === undefined ? 100 : b;
    return {
      type: "rosenbrock", a: a, b: b, minimizer: [a, a * a],
      value: function (x) {
        var d = x[1] - x[0] * x[0];
        return (a - x[0]) * (a - x[0]) + b * (d * d);
      },
      grad: function (x) {
        var x1 = x[0], inner = x[1] - x1 * x1;
        return [-2 * (a - x1) - 4 * b * x1 * inner, 2 * b * inner];
      },
    };
  }

  /** Any problem turned counter-clockwise by theta: f(R^T x). */
  function rotate(problem, theta) {
    var r = rotationMatrix(theta);
    function inner(x) { // x @ R
      return [x[0] * r[0][0] + x[1] * r[1][0], x[0] * r[0][1] + x[1] * r[1][1]];
    }
    var m = problem.minimizer;
    return {
      type: "rotated", theta: theta, problem: problem,
      minimizer: [r[0][0] * m[0] + r[0][1] * m[1], r[1][0] * m[0] + r[1][1] * m[1]],
      value: function (x) { return problem.value(inner(x)); },
      grad: function (x) { // grad(inner) @ R.T
        var g = problem.grad(inner(x));
        return [g[0] * r[0][0] + g[1] * r[0][1], g[0] * r[1][0] + g[1] * r[1][1]];
      },
    };
  }

  /** Build a problem from a spec: {type: "quadratic", a, b, theta} | {type: "rosenbrock", a, b}
   *  | {type: "rotated", theta, problem: spec}. */
  function makeProblem(spec) {
    if (spec.type === "quadratic") return quadratic(spec.a, spec.b, spec.theta || 0);
    if (spec.type === "rosenbrock") return rosenbrock(spec.a, spec.b);
    if (spec.type === "rotated") return rotate(makeProblem(spec.problem), spec.theta);
    throw new Error("unknown problem: " + spec.type);
  }

  /** d2l_opt.problems.rotated: quadratics keep their type (angles add), others are wrapped. */
  function rotatedSpec(spec, theta) {
    if (!theta) return spec;
    if (spec.type === "quadratic") {
      return { type: "quadratic", a: spec.a, b: spec.b, theta: (spec.theta || 0) + theta };
    }
    return { type: "rotated", theta: theta, problem: spec };
  }

  // ------------------------------------------------------------------------------------------
  // Trajectories, leaky averages, momentum rates
  // ------------------------------------------------------------------------------------------

  /** d2l_opt.trajectory.run for one setting: steps + 1 points [x1, x2], row 0 = x0. */
  function run(ruleSpec, problemSpec, x0, steps) {
    var rule = ruleSpec.update ? ruleSpec : makeRule(ruleSpec);
    var problem = problemSpec.grad ? problemSpec : makeProblem(problemSpec);
    var x = [Number(x0[0]), Number(x0[1])];
    var out = [x];
    var state = rule.init(x);
    for (var t = 0; t < steps; t++) {
      var result = rule.update(x, problem.grad(x), state);
      x = result[0];
      state = result[1];
      out.push(x);
    }
    return out;
  }

  /** d2l_opt.ewma.ewma for a 1-D series: y_t = beta y_{t-1} + (1 - beta) x_t, y_0 = 0. */
  function ewma(series, beta, biasCorrection) {
    var out = new Array(series.length), y = 0;
    for (var t = 0; t < series.length; t++) {
      y = beta * y + (1 - beta) * series[t];
      out[t] = biasCorrection ? y / (1 - powInt(beta, t + 1)) : y;
    }
    return out;
  }

  /** Weight (1 - beta) beta^k of x_{t-k} in y_t, k = 0..t-1 (divided by 1 - beta^t if
   *  biasCorrection). */
  function ewmaWeights(beta, t, biasCorrection) {
    var out = new Array(t), total = 1 - powInt(beta, t);
    for (var k = 0; k < t; k++) {
      var w = (1 - beta) * powInt(beta, k);
      out[k] = biasCorrection ? w / total : w;
    }
    return out;
  }

  /** Spectral radius of heavy-ball momentum on one eigen-direction (curvature lambda):
   *  the roots of z^2 - (1 + beta - lr lambda) z + beta. */
  function heavyBallRate(lr, beta, lambda) {
    var tr = 1 + beta - lr * lambda;
    var disc = tr * tr - 4 * beta;
    if (disc < 0) return Math.sqrt(beta);
    var root = Math.sqrt(disc);
    return Math.max(Math.abs(tr + root), Math.abs(tr - root)) / 2;
  }

  /** Worst rate over the eigenvalues: the error shrinks like rate^t. */
  function momentumRate(lr, beta, eigenvalues) {
    var rate = 0;
    for (var i = 0; i < eigenvalues.length; i++) {
      rate = Math.max(rate, heavyBallRate(lr, beta, eigenvalues[i]));
    }
    return rate;
  }

  /** Best (lr, beta) for heavy ball on a quadratic with curvatures in [mu, L]. */
  function optimalMomentum(eigenvalues) {
    var mu = Math.min.apply(null, eigenvalues), L = Math.max.apply(null, eigenvalues);
    var sL = Math.sqrt(L), sMu = Math.sqrt(mu);
    var lr = 4 / ((sL + sMu) * (sL + sMu));
    var beta = Math.pow((sL - sMu) / (sL + sMu), 2);
    return { lr: lr, momentum: beta, rate: (sL - sMu) / (sL + sMu) };
  }

  // The optimizers of the trajectory explorer, built from its settings exactly as
  // d2l_opt.widgets.optimizer_rule does in Python.
  function optimizerSpec(name, s) {
    var key = String(name).toLowerCase();
    if (key === "sgd") return { type: "sgd", lr: s.lr };
    if (key === "momentum") return { type: "sgd", lr: s.lr, momentum: s.momentum };
    if (key === "nesterov") {
      if (s.momentum === 0) return { type: "sgd", lr: s.lr };
      return { type: "sgd", lr: s.lr, momentum: s.momentum, nesterov: true };
    }
    if (key === "adagrad") {
      return { type: "adagrad", lr: s.lr, eps: s.eps, eps_inside_sqrt: s.eps_inside_sqrt };
    }
    if (key === "rmsprop") {
      return {
        type: "rmsprop", lr: s.lr, alpha: s.alpha, eps: s.eps, eps_inside_sqrt: s.eps_inside_sqrt,
      };
    }
    if (key === "adam") {
      return {
        type: "adam", lr: s.lr, betas: [s.beta1, s.beta2], eps: s.eps,
        eps_inside_sqrt: s.eps_inside_sqrt,
      };
    }
    throw new Error("unknown optimizer: " + name);
  }

  // Plot windows and loss ranges, shared with d2l_opt/widgets.py (same formulas there).
  function plotWindow(problemInfo, theta, x0) {
    var c = Math.cos(theta), s = Math.sin(theta), bc = problemInfo.center;
    var center = [c * bc[0] - s * bc[1], s * bc[0] + c * bc[1]];
    var d = Math.max(Math.abs(x0[0] - center[0]), Math.abs(x0[1] - center[1]));
    var half = Math.max(problemInfo.half, 1.15 * d);
    return { x: [center[0] - half, center[0] + half], y: [center[1] - half, center[1] + half] };
  }

  // Loss panels show f(x_t) / f(x_0) (plain f when f(x_0) is 0) on a fixed log range.
  function lossRange(loss) {
    return [Math.pow(10, -loss.decades_below), Math.pow(10, loss.decades_above)];
  }

  function relativeLosses(problem, points, x0, floor) {
    var f0 = problem.value(x0), ref = isFinite(f0) && f0 > 0 ? f0 : 1;
    return points.map(function (p) { return Math.max(problem.value(p) / ref, floor); });
  }

  // ------------------------------------------------------------------------------------------
  // SVG helpers (browser only)
  // ------------------------------------------------------------------------------------------

  var SVG_NS = "http://www.w3.org/2000/svg";
  var figureCount = 0;

  function el(tag, attrs, parent) {
    var node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    if (parent) parent.appendChild(node);
    return node;
  }

  function setAttrs(node, attrs) {
    if (!attrs) return node;
    Object.keys(attrs).forEach(function (key) {
      if (attrs[key] !== undefined && attrs[key] !== null) node.setAttribute(key, attrs[key]);
    });
    return node;
  }

  function html(tag, attrs, parent, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        if (attrs[key] !== undefined && attrs[key] !== null) node.setAttribute(key, attrs[key]);
      });
    }
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function text(parent, x, y, str, attrs) {
    var node = el("text", Object.assign({ x: x, y: y }, attrs || {}), parent);
    node.textContent = str;
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  var SUPERSCRIPT = { "-": "\u207b", 0: "\u2070", 1: "\u00b9", 2: "\u00b2", 3: "\u00b3",
    4: "\u2074", 5: "\u2075", 6: "\u2076", 7: "\u2077", 8: "\u2078", 9: "\u2079" };

  function powerOfTen(exponent) {
    if (exponent === 0) return "1";
    if (exponent === 1) return "10";
    return "10" + String(exponent).split("").map(function (ch) { return SUPERSCRIPT[ch]; }).join("");
  }

  function niceStep(span, count) {
    var raw = span / Math.max(count, 1);
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var fraction = raw / power;
    var nice = fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10;
    return nice * power;
  }

  function linearTicks(lo, hi, count) {
    var step = niceStep(hi - lo, count), ticks = [];
    var decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
    for (var v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
      var value = Number(v.toFixed(decimals + 1));
      ticks.push({ value: value, label: Math.abs(value) < step / 2 ? "0" : value.toFixed(decimals) });
    }
    return ticks;
  }

  function logTicks(lo, hi) {
    var first = Math.ceil(Math.log10(lo) - 1e-9), last = Math.floor(Math.log10(hi) + 1e-9);
    var every = [1, 2, 3, 5, 10].filter(function (k) { return (last - first) / k <= 7; })[0] || 20;
    var ticks = [];
    for (var e = first; e <= last; e++) {
      if (e % every === 0) ticks.push({ value: Math.pow(10, e), label: powerOfTen(e) });
    }
    return ticks;
  }

  /** A rectangular plot area with linear or log scales, axes and a clip path. */
  function Panel(svg, uid, box, options) {
    this.box = box; // {x, y, w, h} in SVG units
    this.options = options || {};
    this.group = el("g", { class: "as-panel" }, svg);
    var clipId = uid + "-clip-" + (Panel.count = (Panel.count || 0) + 1);
    var clip = el("clipPath", { id: clipId }, el("defs", null, this.group));
    el("rect", { x: box.x, y: box.y, width: box.w, height: box.h }, clip);
    this.background = el("rect", {
      x: box.x, y: box.y, width: box.w, height: box.h, class: "as-plot-bg",
    }, this.group);
    this.under = el("g", { "clip-path": "url(#" + clipId + ")" }, this.group);
    this.plot = el("g", { "clip-path": "url(#" + clipId + ")" }, this.group);
    this.axes = el("g", { class: "as-axes" }, this.group);
    this.xlim = [0, 1];
    this.ylim = [0, 1];
  }

  Panel.prototype.setLimits = function (xlim, ylim) {
    this.xlim = xlim;
    this.ylim = ylim;
  };

  Panel.prototype.sx = function (v) {
    var b = this.box, t = (v - this.xlim[0]) / (this.xlim[1] - this.xlim[0]);
    return b.x + t * b.w;
  };

  Panel.prototype.sy = function (v) {
    var b = this.box, lo = this.ylim[0], hi = this.ylim[1], t;
    if (this.options.ylog) t = (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
    else t = (v - lo) / (hi - lo);
    return b.y + (1 - t) * b.h;
  };

  /** Pixel string for a polyline, clamped far outside the box and cut at the first non-finite
   *  point (a diverged run leaves the panel there). */
  Panel.prototype.points = function (xs, ys) {
    var b = this.box, parts = [];
    var xmin = b.x - 4 * b.w, xmax = b.x + 5 * b.w, ymin = b.y - 4 * b.h, ymax = b.y + 5 * b.h;
    for (var i = 0; i < xs.length; i++) {
      var px = this.sx(xs[i]), py = this.sy(ys[i]);
      if (!isFinite(px) || !isFinite(py)) break;
      px = Math.min(Math.max(px, xmin), xmax);
      py = Math.min(Math.max(py, ymin), ymax);
      parts.push(px.toFixed(1) + "," + py.toFixed(1));
    }
    return parts.join(" ");
  };

  Panel.prototype.drawAxes = function (xlabel, ylabel, title) {
    var b = this.box, g = this.axes, self = this;
    clear(g);
    el("rect", { x: b.x, y: b.y, width: b.w, height: b.h, class: "as-frame" }, g);
    var xt = this.options.xticks || linearTicks(this.xlim[0], this.xlim[1], 5);
    var yt = this.options.ylog ? logTicks(this.ylim[0], this.ylim[1])
      : linearTicks(this.ylim[0], this.ylim[1], 5);
    xt.forEach(function (t) {
      var x = self.sx(t.value);
      if (x < b.x - 0.5 || x > b.x + b.w + 0.5) return;
      el("line", { x1: x, x2: x, y1: b.y + b.h, y2: b.y + b.h + 4, class: "as-tick" }, g);
      text(g, x, b.y + b.h + 15, t.label, { "text-anchor": "middle", class: "as-ticklabel" });
    });
    yt.forEach(function (t) {
      var y = self.sy(t.value);
      if (y < b.y - 0.5 || y > b.y + b.h + 0.5) return;
      el("line", { x1: b.x - 4, x2: b.x, y1: y, y2: y, class: "as-tick" }, g);
      text(g, b.x - 6, y + 3.5, t.label, { "text-anchor": "end", class: "as-ticklabel" });
    });
    if (xlabel) {
      text(g, b.x + b.w / 2, b.y + b.h + 31, xlabel, { "text-anchor": "middle", class: "as-label" });
    }
    if (ylabel) {
      var ly = b.y + b.h / 2, lx = b.x - 38;
      text(g, lx, ly, ylabel, {
        "text-anchor": "middle", class: "as-label", transform: "rotate(-90 " + lx + " " + ly + ")",
      });
    }
    if (title) text(g, b.x + b.w / 2, b.y - 7, title, { "text-anchor": "middle", class: "as-title" });
  };

  /** Position of a pointer event in the panel's data coordinates. */
  Panel.prototype.dataPoint = function (svg, event) {
    var pt = svg.createSVGPoint();
    pt.x = event.clientX;
    pt.y = event.clientY;
    var local = pt.matrixTransform(svg.getScreenCTM().inverse()), b = this.box;
    return [
      this.xlim[0] + (local.x - b.x) / b.w * (this.xlim[1] - this.xlim[0]),
      this.ylim[0] + (1 - (local.y - b.y) / b.h) * (this.ylim[1] - this.ylim[0]),
    ];
  };

  // ------------------------------------------------------------------------------------------
  // Controls (browser only): range sliders (linear or log10), selects, checkboxes
  // ------------------------------------------------------------------------------------------

  function decimalsOf(step) {
    var s = String(step);
    if (s.indexOf("e-") >= 0) return Number(s.split("e-")[1]);
    return s.indexOf(".") >= 0 ? s.split(".")[1].length : 0;
  }

  function formatValue(spec, value) {
    if (spec.type === "log") {
      if (value === 0) return "0";
      // like the ipywidgets readout (".3g"): 0.0501, 1e-06 as 1.0e-6
      return value >= 1e-3 && value < 1e4 ? String(Number(value.toPrecision(3)))
        : value.toExponential(1);
    }
    if (spec.type === "int") return String(value);
    return value.toFixed(spec.decimals === undefined ? decimalsOf(spec.step) : spec.decimals);
  }

  /** Build the controls described by specs; onChange(key, value) after each user change. */
  function Controls(container, specs, values, onChange) {
    var self = this;
    this.inputs = {};
    this.specs = {};
    this.readouts = {};
    specs.forEach(function (spec) {
      self.specs[spec.key] = spec;
      var row = html("div", { class: "as-control", "data-key": spec.key }, container);
      if (spec.uses) row.setAttribute("data-uses", spec.uses.join(" "));
      if (spec.type === "multi") {
        html("span", { class: "as-control-label" }, row, spec.label);
        var box = html("span", { class: "as-multi", "data-control": spec.key }, row);
        var chosen = values[spec.key].map(function (v) { return String(v).toLowerCase(); });
        spec.options.forEach(function (option) {
          var label = html("label", { class: "as-check" }, box);
          var input = html("input", { type: "checkbox", "data-option": option[0] }, label);
          if (option[2]) label.style.setProperty("--as-color", option[2]);
          input.checked = chosen.indexOf(String(option[0]).toLowerCase()) >= 0;
          html("span", { class: "as-swatch" }, label);
          label.appendChild(document.createTextNode(option[1]));
          input.addEventListener("change", function () {
            onChange(spec.key, self.value(spec.key));
          });
        });
        self.inputs[spec.key] = box;
        return;
      }
      var id = "as-ctl-" + (++figureCount) + "-" + spec.key;
      html("label", { class: "as-control-label", for: id }, row, spec.label);
      var input;
      if (spec.type === "select") {
        input = html("select", { id: id, "data-control": spec.key }, row);
        spec.options.forEach(function (option) {
          var opt = html("option", { value: String(option[0]) }, input, option[1]);
          if (String(option[0]) === String(values[spec.key])) opt.selected = true;
        });
        input.addEventListener("change", function () {
          onChange(spec.key, self.value(spec.key));
        });
      } else if (spec.type === "checkbox") {
        input = html("input", { id: id, type: "checkbox", "data-control": spec.key }, row);
        input.checked = Boolean(values[spec.key]);
        input.addEventListener("change", function () {
          onChange(spec.key, self.value(spec.key));
        });
      } else {
        input = html("input", {
          id: id, type: "range", "data-control": spec.key, "data-scale": spec.type,
          min: spec.min, max: spec.max, step: spec.step,
        }, row);
        self.readouts[spec.key] = html("output", { class: "as-readout", for: id }, row);
        self.setValue(spec.key, values[spec.key], input);
        input.addEventListener("input", function () {
          var value = self.value(spec.key);
          input.setAttribute("data-value", String(value));
          self.readouts[spec.key].textContent = formatValue(spec, value);
          onChange(spec.key, value);
        });
      }
      self.inputs[spec.key] = input;
    });
  }

  /** The control's current value (log sliders: 10 ** position). */
  Controls.prototype.value = function (key) {
    var spec = this.specs[key], input = this.inputs[key];
    if (spec.type === "multi") {
      var chosen = [];
      input.querySelectorAll("input").forEach(function (box) {
        if (box.checked) chosen.push(box.getAttribute("data-option"));
      });
      return chosen;
    }
    if (spec.type === "checkbox") return input.checked;
    if (spec.type === "select") {
      var v = input.value;
      if (v === "true" || v === "false") return v === "true";
      return v;
    }
    var position = Number(input.value);
    if (spec.type === "log") return Math.pow(10, position);
    if (spec.type === "int") return Math.round(position);
    return position;
  };

  /** Move a slider to a value (without firing events); the exact value is kept in data-value. */
  Controls.prototype.setValue = function (key, value, input) {
    var spec = this.specs[key];
    input = input || this.inputs[key];
    if (spec.type === "log") input.value = String(Math.log10(value));
    else input.value = String(value);
    input.setAttribute("data-value", String(value));
    if (this.readouts[key]) this.readouts[key].textContent = formatValue(spec, value);
  };

  Controls.prototype.setRange = function (key, min, max) {
    var input = this.inputs[key];
    input.min = String(min);
    input.max = String(max);
  };

  /** Dim the controls that none of the shown optimizers uses. */
  Controls.prototype.markUsed = function (names) {
    var lower = names.map(function (n) { return String(n).toLowerCase(); });
    Object.keys(this.specs).forEach(function (key) {
      var spec = this.specs[key];
      if (!spec.uses) return;
      var used = spec.uses.some(function (u) { return lower.indexOf(u.toLowerCase()) >= 0; });
      var row = this.inputs[key].closest(".as-control");
      if (row) row.classList.toggle("as-unused", !used);
    }, this);
  };

  // ------------------------------------------------------------------------------------------
  // Figure 1: trajectory explorer (contours + iterates, loss against step)
  // ------------------------------------------------------------------------------------------

  var WIDTH = 720, HEIGHT = 330;

  function contourPolylines(info) {
    var c = info.contours, lines = [];
    if (c.type === "ellipses") {
      // level sets a u1^2 + b u2^2 = level, in the unrotated frame
      var n = 96;
      c.levels.forEach(function (level) {
        var r1 = Math.sqrt(level / c.a), r2 = Math.sqrt(level / c.b), xs = [], ys = [];
        for (var i = 0; i <= n; i++) {
          var phi = 2 * Math.PI * i / n;
          xs.push(r1 * Math.cos(phi));
          ys.push(r2 * Math.sin(phi));
        }
        lines.push([xs, ys]);
      });
    } else {
      c.paths.forEach(function (path) {
        lines.push([path[0], path[1]]);
      });
    }
    return lines;
  }

  function TrajectoryFigure(root, config) {
    var self = this;
    this.root = root;
    this.config = config;
    this.settings = JSON.parse(JSON.stringify(config.settings));
    this.uid = root.id || "as-fig-" + (++figureCount);
    this.redraws = 0;
    var controlBox = html("div", { class: "as-controls" }, root);
    this.svg = el("svg", {
      class: "as-svg", viewBox: "0 0 " + WIDTH + " " + HEIGHT, role: "img",
      "aria-label": "iterates of the chosen optimizers on the contour plot, and their loss",
    }, root);
    this.contourPanel = new Panel(this.svg, this.uid, { x: 56, y: 24, w: 270, h: 270 });
    this.lossPanel = new Panel(this.svg, this.uid, { x: 408, y: 24, w: 210, h: 270 },
      { ylog: true });
    this.contourGroup = el("g", { class: "as-contours" }, this.contourPanel.under);
    this.minimizer = el("path", { class: "as-minimizer", d: "" }, this.contourPanel.plot);
    this.lines = {};
    this.lossLines = {};
    var defs = el("defs", null, this.svg);
    config.order.forEach(function (name) {
      var info = config.optimizers[name];
      var markerId = self.uid + "-dot-" + name.toLowerCase();
      var marker = el("marker", {
        id: markerId, viewBox: "-2 -2 4 4", markerWidth: 4, markerHeight: 4,
        markerUnits: "userSpaceOnUse",
      }, defs);
      el("circle", { r: 1.6, fill: info.color }, marker);
      self.lines[name] = el("polyline", {
        class: "as-trajectory", "data-optimizer": name, stroke: info.color,
        "marker-mid": "url(#" + markerId + ")", "marker-end": "url(#" + markerId + ")",
      }, self.contourPanel.plot);
      self.lossLines[name] = el("polyline", {
        class: "as-loss", "data-optimizer": name, stroke: info.color,
      }, self.lossPanel.plot);
    });
    this.start = el("circle", { r: 4, class: "as-start" }, this.contourPanel.plot);
    this.legend = el("g", { class: "as-legend" }, this.svg);
    this.controls = new Controls(controlBox, config.controls, this.controlValues(),
      function (key, value) { self.onControl(key, value); });
    this.contourPanel.background.addEventListener("click", function (event) {
      var p = self.contourPanel.dataPoint(self.svg, event);
      self.setStart(p);
    });
    html("div", { class: "as-note" }, root,
      "Computed in your browser (no Python kernel). Click the contour plot to move the start.");
    this.problemChanged();
    this.redraw();
  }

  TrajectoryFigure.prototype.controlValues = function () {
    var s = this.settings;
    return {
      problem: s.problem, optimizers: s.optimizers, lr: s.lr, momentum: s.momentum,
      alpha: s.alpha, beta1: s.beta1, beta2: s.beta2, eps: s.eps,
      eps_inside_sqrt: s.eps_inside_sqrt, steps: s.steps, x0_1: s.x0[0], x0_2: s.x0[1],
      theta: s.theta * (180 / Math.PI),
    };
  };

  TrajectoryFigure.prototype.onControl = function (key, value) {
    var s = this.settings;
    if (key === "x0_1") s.x0 = [value, s.x0[1]];
    else if (key === "x0_2") s.x0 = [s.x0[0], value];
    else if (key === "theta") s.theta = value * (Math.PI / 180); // math.radians
    else s[key] = value;
    if (key === "problem") this.problemChanged();
    this.redraw();
  };

  TrajectoryFigure.prototype.problemChanged = function () {
    var info = this.config.problems[this.settings.problem], s = this.settings;
    var ranges = info.x0_range;
    ["x0_1", "x0_2"].forEach(function (key, i) {
      if (!this.controls.inputs[key]) return;
      this.controls.setRange(key, ranges[i][0], ranges[i][1]);
      var clamped = Math.min(Math.max(s.x0[i], ranges[i][0]), ranges[i][1]);
      if (clamped !== s.x0[i]) {
        s.x0 = i === 0 ? [clamped, s.x0[1]] : [s.x0[0], clamped];
      }
      this.controls.setValue(key, s.x0[i]);
    }, this);
    this.baseContours = contourPolylines(info);
  };

  TrajectoryFigure.prototype.setStart = function (p) {
    var info = this.config.problems[this.settings.problem], spec = this.controls.specs.x0_1;
    var step = spec ? Number(spec.step) : 0.01;
    var x0 = p.map(function (v, i) {
      var r = info.x0_range[i];
      var snapped = Number((Math.round(v / step) * step).toFixed(decimalsOf(step)));
      return Math.min(Math.max(snapped, r[0]), r[1]);
    });
    this.settings.x0 = x0;
    if (this.controls.inputs.x0_1) this.controls.setValue("x0_1", x0[0]);
    if (this.controls.inputs.x0_2) this.controls.setValue("x0_2", x0[1]);
    this.redraw();
  };

  TrajectoryFigure.prototype.problemSpec = function () {
    var info = this.config.problems[this.settings.problem];
    return rotatedSpec(info.spec, this.settings.theta);
  };

  /** Trajectories of the shown optimizers for the current settings. */
  TrajectoryFigure.prototype.compute = function () {
    var s = this.settings, problem = makeProblem(this.problemSpec()), out = {};
    var shown = this.shown();
    shown.forEach(function (name) {
      out[name] = run(optimizerSpec(name, s), problem, s.x0, s.steps);
    });
    return { problem: problem, trajectories: out };
  };

  TrajectoryFigure.prototype.shown = function () {
    var chosen = this.settings.optimizers.map(function (n) { return String(n).toLowerCase(); });
    return this.config.order.filter(function (name) {
      return chosen.indexOf(name.toLowerCase()) >= 0;
    });
  };

  TrajectoryFigure.prototype.redraw = function () {
    var s = this.settings, config = this.config, info = config.problems[s.problem];
    var result = this.compute(), problem = result.problem;
    var win = plotWindow(info, s.theta, s.x0);
    var cp = this.contourPanel, lp = this.lossPanel;
    cp.setLimits(win.x, win.y);
    var ylim = lossRange(config.loss);
    lp.setLimits([0, Math.max(s.steps, 1)], ylim);
    var title = info.formula;
    if (s.theta) title += ", turned " + Math.round(s.theta * (180 / Math.PI)) + "\u00b0";
    cp.drawAxes("x\u2081", "x\u2082", title);
    lp.drawAxes("step t", null, "relative loss f(x\u209c) / f(x\u2080)");
    // contours: the unrotated level sets turned by theta
    clear(this.contourGroup);
    var c = Math.cos(s.theta), sn = Math.sin(s.theta);
    this.baseContours.forEach(function (line) {
      var xs = line[0], ys = line[1], rx = new Array(xs.length), ry = new Array(xs.length);
      for (var i = 0; i < xs.length; i++) {
        rx[i] = c * xs[i] - sn * ys[i];
        ry[i] = sn * xs[i] + c * ys[i];
      }
      el("polyline", { points: cp.points(rx, ry), class: "as-contour" }, this.contourGroup);
    }, this);
    var m = problem.minimizer, mx = cp.sx(m[0]), my = cp.sy(m[1]);
    this.minimizer.setAttribute("d", "M" + (mx - 4) + "," + (my - 4) + "l8,8m0,-8l-8,8");
    this.start.setAttribute("cx", cp.sx(s.x0[0]));
    this.start.setAttribute("cy", cp.sy(s.x0[1]));
    var floor = ylim[0] / 10;
    config.order.forEach(function (name) {
      var line = this.lines[name], lossLine = this.lossLines[name];
      var traj = result.trajectories[name];
      if (!traj) {
        line.setAttribute("display", "none");
        lossLine.setAttribute("display", "none");
        line.removeAttribute("data-trajectory");
        return;
      }
      var xs = traj.map(function (p) { return p[0]; }), ys = traj.map(function (p) { return p[1]; });
      var steps = traj.map(function (p, t) { return t; });
      var losses = relativeLosses(problem, traj, s.x0, floor);
      line.removeAttribute("display");
      lossLine.removeAttribute("display");
      line.setAttribute("points", cp.points(xs, ys));
      line.setAttribute("data-trajectory", JSON.stringify(traj));
      lossLine.setAttribute("points", lp.points(steps, losses));
    }, this);
    this.drawLegend();
    this.controls.markUsed(this.shown());
    this.redraws += 1;
    this.root.setAttribute("data-settings", JSON.stringify(s));
    this.root.setAttribute("data-redraws", String(this.redraws));
  };

  TrajectoryFigure.prototype.drawLegend = function () {
    var g = this.legend, x = 632, y = 34, config = this.config;
    clear(g);
    this.shown().forEach(function (name, i) {
      var info = config.optimizers[name], yy = y + 18 * i;
      el("line", { x1: x, x2: x + 18, y1: yy, y2: yy, stroke: info.color, class: "as-legend-line" },
        g);
      text(g, x + 23, yy + 4, info.label, { class: "as-legend-text" });
    });
  };

  // ------------------------------------------------------------------------------------------
  // Figure 2: EWMA explorer (weights on past terms; a noisy series and its leaky average)
  // ------------------------------------------------------------------------------------------

  function EwmaFigure(root, config) {
    var self = this;
    this.root = root;
    this.config = config;
    this.settings = JSON.parse(JSON.stringify(config.settings));
    this.uid = root.id || "as-fig-" + (++figureCount);
    this.redraws = 0;
    var controlBox = html("div", { class: "as-controls" }, root);
    this.svg = el("svg", {
      class: "as-svg", viewBox: "0 0 " + WIDTH + " " + HEIGHT, role: "img",
      "aria-label": "weights of a leaky average and the average of a noisy series",
    }, root);
    this.weightPanel = new Panel(this.svg, this.uid, { x: 56, y: 24, w: 250, h: 260 });
    this.seriesPanel = new Panel(this.svg, this.uid, { x: 380, y: 24, w: 320, h: 260 });
    this.stems = el("path", { class: "as-stems", stroke: config.color }, this.weightPanel.plot);
    this.window = el("line", { class: "as-window" }, this.weightPanel.plot);
    this.signal = el("polyline", { class: "as-signal" }, this.seriesPanel.plot);
    this.points = el("path", { class: "as-points" }, this.seriesPanel.plot);
    this.average = el("polyline", {
      class: "as-average", stroke: config.color, "data-role": "ewma",
    }, this.seriesPanel.plot);
    this.controls = new Controls(controlBox, config.controls, this.settings,
      function (key, value) { self.settings[key] = value; self.redraw(); });
    this.caption = html("div", { class: "as-note" }, root);
    this.redraw();
  }

  EwmaFigure.prototype.redraw = function () {
    var s = this.settings, config = this.config, t = s.steps;
    var series = config.series.slice(0, t), signal = config.signal.slice(0, t);
    var weights = ewmaWeights(s.beta, t, s.bias_correction);
    var avg = ewma(series, s.beta, s.bias_correction);
    var wp = this.weightPanel, sp = this.seriesPanel;
    var kmax = Math.max(t - 1, 1), wmax = 0;
    weights.forEach(function (w) { wmax = Math.max(wmax, w); });
    wp.setLimits([-0.5, kmax + 0.5], [0, Math.max(wmax * 1.1, 1e-3)]);
    sp.setLimits([0, t + 1], config.series_range);
    wp.drawAxes("age k (x\u209c\u208b\u2096)", null,
      "weights" + (s.bias_correction ? " / (1 \u2212 \u03b2\u1d57)" : " (1 \u2212 \u03b2)\u03b2\u1d4f"));
    sp.drawAxes("t", null, "series and its leaky average");
    var d = [];
    weights.forEach(function (w, k) {
      var x = wp.sx(k).toFixed(1);
      d.push("M" + x + "," + wp.sy(0).toFixed(1) + "V" + wp.sy(w).toFixed(1));
    });
    this.stems.setAttribute("d", d.join(""));
    this.stems.setAttribute("data-weights", JSON.stringify(weights));
    var window = s.beta < 1 ? 1 / (1 - s.beta) : Infinity;
    var wx = wp.sx(Math.min(window, kmax + 0.5));
    setAttrs(this.window, { x1: wx, x2: wx, y1: wp.box.y, y2: wp.box.y + wp.box.h });
    var steps = [];
    for (var i = 1; i <= t; i++) steps.push(i);
    this.signal.setAttribute("points", sp.points(steps, signal));
    var dots = series.map(function (v, i) {
      return "M" + sp.sx(i + 1).toFixed(1) + "," + sp.sy(v).toFixed(1) + "h0.01";
    });
    this.points.setAttribute("d", dots.join(""));
    this.average.setAttribute("points", sp.points(steps, avg));
    this.average.setAttribute("data-ewma", JSON.stringify(avg));
    this.caption.textContent = "\u03b2 = " + s.beta.toFixed(2) + ": about 1/(1 \u2212 \u03b2) = " +
      (isFinite(window) ? window.toFixed(1) : "\u221e") + " terms remembered" +
      (s.bias_correction ? ", bias corrected." : ", no bias correction (starts from 0).") +
      " Computed in your browser (no Python kernel).";
    this.redraws += 1;
    this.root.setAttribute("data-settings", JSON.stringify(s));
    this.root.setAttribute("data-redraws", String(this.redraws));
  };

  // ------------------------------------------------------------------------------------------
  // Figure 3: momentum eigen-view (rate over (lr, beta); loss of the current setting)
  // ------------------------------------------------------------------------------------------

  var VIRIDIS = [[68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
    [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37]];

  function viridis(t) {
    t = Math.min(Math.max(t, 0), 1) * (VIRIDIS.length - 1);
    var i = Math.min(Math.floor(t), VIRIDIS.length - 2), f = t - i, a = VIRIDIS[i],
      b = VIRIDIS[i + 1];
    return [0, 1, 2].map(function (k) { return Math.round(a[k] + f * (b[k] - a[k])); });
  }

  /** Roots of z^2 - (1 + beta - lr lambda) z + beta: two [re, im] pairs. */
  function heavyBallRoots(lr, beta, lambda) {
    var tr = 1 + beta - lr * lambda, disc = tr * tr - 4 * beta;
    if (disc < 0) {
      var im = Math.sqrt(-disc) / 2;
      return [[tr / 2, im], [tr / 2, -im]];
    }
    var root = Math.sqrt(disc);
    return [[(tr + root) / 2, 0], [(tr - root) / 2, 0]];
  }

  var EIGEN_WIDTH = 800;

  function EigenFigure(root, config) {
    var self = this;
    this.root = root;
    this.config = config;
    this.settings = JSON.parse(JSON.stringify(config.settings));
    this.uid = root.id || "as-fig-" + (++figureCount);
    this.redraws = 0;
    var controlBox = html("div", { class: "as-controls" }, root);
    this.svg = el("svg", {
      class: "as-svg", viewBox: "0 0 " + EIGEN_WIDTH + " " + HEIGHT, role: "img",
      "aria-label": "convergence rate of momentum over learning rate and beta, the roots of " +
        "its characteristic polynomial and the coordinates of its iterates",
    }, root);
    this.ratePanel = new Panel(this.svg, this.uid, { x: 52, y: 24, w: 190, h: 250 });
    this.rootPanel = new Panel(this.svg, this.uid, { x: 330, y: 34, w: 210, h: 210 });
    this.coordPanel = new Panel(this.svg, this.uid, { x: 590, y: 24, w: 200, h: 250 });
    this.ratePanel.setLimits(config.lr_range, config.beta_range);
    this.drawHeatmap();
    this.ratePanel.drawAxes("learning rate \u03b7", "momentum \u03b2", "rate \u03c1(\u03b7, \u03b2)");
    this.drawColorbar();
    var best = optimalMomentum(config.eigenvalues);
    this.best = best;
    var bx = this.ratePanel.sx(best.lr), by = this.ratePanel.sy(best.momentum);
    el("path", {
      class: "as-optimum", d: "M" + bx + "," + (by - 6) + "l1.8,4.2 4.5,0.4 -3.4,3 1,4.4 -3.9,-2.3 " +
        "-3.9,2.3 1,-4.4 -3.4,-3 4.5,-0.4z",
    }, this.ratePanel.plot);
    this.point = el("circle", { r: 5, class: "as-current" }, this.ratePanel.plot);
    // complex plane: unit circle, axes, one pair of roots per eigenvalue
    var rp = this.rootPanel;
    rp.setLimits([-1.35, 1.35], [-1.35, 1.35]);
    rp.drawAxes("Re z", "Im z", "roots of z\u00b2 \u2212 (1 + \u03b2 \u2212 \u03b7\u03bb)z + \u03b2");
    el("circle", { cx: rp.sx(0), cy: rp.sy(0), r: rp.sx(1) - rp.sx(0), class: "as-unit-circle" },
      rp.under);
    el("line", { x1: rp.sx(-1.35), x2: rp.sx(1.35), y1: rp.sy(0), y2: rp.sy(0), class: "as-axis0" },
      rp.under);
    el("line", { x1: rp.sx(0), x2: rp.sx(0), y1: rp.sy(-1.35), y2: rp.sy(1.35), class: "as-axis0" },
      rp.under);
    this.coordPanel.setLimits([0, this.settings.steps], config.coordinate_range);
    this.coordPanel.drawAxes("step t", null, "coordinates x\u1d62(t) and \u00b1\u03c1\u1d62\u1d57");
    var cp = this.coordPanel;
    el("line", { x1: cp.box.x, x2: cp.box.x + cp.box.w, y1: cp.sy(0), y2: cp.sy(0),
      class: "as-axis0" }, cp.under);
    this.rootMarks = [];
    this.coordLines = [];
    this.envelopes = [];
    this.coordGroup = el("g", { class: "as-coordinates", "data-optimizer": "Momentum" }, cp.plot);
    var legend = el("g", { class: "as-legend" }, this.svg);
    config.eigenvalues.forEach(function (lam, i) {
      var color = config.colors[i];
      self.rootMarks.push(el("g", { class: "as-roots", "data-eigenvalue": String(lam) },
        rp.plot));
      self.envelopes.push(el("path", { class: "as-envelope", stroke: color }, cp.plot));
      self.coordLines.push(el("polyline", {
        class: "as-coordinate", stroke: color, "data-coordinate": String(i + 1),
      }, self.coordGroup));
      var ly = rp.box.y + rp.box.h + 50, lx = rp.box.x + 10 + 115 * i;
      el("circle", { cx: lx, cy: ly - 4, r: 4, fill: color }, legend);
      text(legend, lx + 8, ly, "\u03bb" + (i === 0 ? "\u2081" : "\u2082") + " = " + lam +
        " (x" + (i === 0 ? "\u2081" : "\u2082") + ")", { class: "as-legend-text" });
    });
    this.rateLabel = text(rp.plot, rp.box.x + 6, rp.box.y + 14, "", { class: "as-label" });
    this.controls = new Controls(controlBox, config.controls, this.settings,
      function (key, value) { self.settings[key] = value; self.redraw(); });
    [this.ratePanel.background, this.heat].forEach(function (target) {
      target.addEventListener("click", function (event) {
        self.pick(self.ratePanel.dataPoint(self.svg, event));
      });
    });
    this.caption = html("div", { class: "as-note" }, root);
    this.redraw();
  }

  EigenFigure.prototype.drawHeatmap = function () {
    var config = this.config, p = this.ratePanel, nx = 150, ny = 100;
    var lr = config.lr_range, br = config.beta_range, href = null, lo = config.rate_min || 0;
    try {
      var canvas = document.createElement("canvas");
      canvas.width = nx;
      canvas.height = ny;
      var ctx = canvas.getContext("2d"), image = ctx.createImageData(nx, ny);
      for (var j = 0; j < ny; j++) {
        var beta = br[1] - (j + 0.5) / ny * (br[1] - br[0]);
        for (var i = 0; i < nx; i++) {
          var eta = lr[0] + (i + 0.5) / nx * (lr[1] - lr[0]);
          var rate = momentumRate(eta, beta, config.eigenvalues);
          var rgb = rate >= 1 ? [225, 225, 225] : viridis((rate - lo) / (1 - lo));
          var o = 4 * (j * nx + i);
          image.data[o] = rgb[0];
          image.data[o + 1] = rgb[1];
          image.data[o + 2] = rgb[2];
          image.data[o + 3] = 255;
        }
      }
      ctx.putImageData(image, 0, 0);
      href = canvas.toDataURL("image/png");
    } catch (err) {
      href = null;
    }
    this.heat = el("image", {
      x: p.box.x, y: p.box.y, width: p.box.w, height: p.box.h, preserveAspectRatio: "none",
      href: href, class: "as-heat",
    }, p.under);
    // stability boundary: rate = 1 where lr * lambda_max = 2 (1 + beta)
    var lmax = Math.max.apply(null, config.eigenvalues), xs = [], ys = [];
    for (var k = 0; k <= 50; k++) {
      var b = br[0] + k / 50 * (br[1] - br[0]);
      xs.push(2 * (1 + b) / lmax);
      ys.push(b);
    }
    el("polyline", { points: p.points(xs, ys), class: "as-boundary" }, p.under);
    var bLabel = br[0] + 0.3 * (br[1] - br[0]);
    text(p.under, p.sx(2 * (1 + bLabel) / lmax) + 6, p.sy(bLabel), "diverges",
      { class: "as-annotation" });
  };

  EigenFigure.prototype.drawColorbar = function () {
    var p = this.ratePanel, x = p.box.x + p.box.w + 8, g = el("g", { class: "as-colorbar" },
      this.svg);
    for (var i = 0; i < 20; i++) {
      var rgb = viridis((i + 0.5) / 20);
      el("rect", {
        x: x, y: p.box.y + p.box.h * (1 - (i + 1) / 20), width: 8, height: p.box.h / 20 + 0.5,
        fill: "rgb(" + rgb.join(",") + ")",
      }, g);
    }
    var lo = this.config.rate_min || 0;
    [lo, (lo + 1) / 2, 1].forEach(function (v) {
      var y = p.box.y + p.box.h * (1 - (v - lo) / (1 - lo)) + 4;
      text(g, x + 11, y, String(Number(v.toFixed(2))), { class: "as-ticklabel" });
    });
    text(g, x + 4, p.box.y - 7, "\u03c1", { "text-anchor": "middle", class: "as-label" });
  };

  EigenFigure.prototype.pick = function (p) {
    var specs = this.controls.specs, values = { lr: p[0], momentum: p[1] };
    Object.keys(values).forEach(function (key) {
      var spec = specs[key], step = Number(spec.step);
      var v = Number((Math.round(values[key] / step) * step).toFixed(decimalsOf(step)));
      v = Math.min(Math.max(v, Number(spec.min)), Number(spec.max));
      this.settings[key] = v;
      this.controls.setValue(key, v);
    }, this);
    this.redraw();
  };

  EigenFigure.prototype.redraw = function () {
    var s = this.settings, config = this.config, rp = this.ratePanel, zp = this.rootPanel;
    var cp = this.coordPanel, lambdas = config.eigenvalues, self = this;
    // f = sum_i lambda_i x_i^2 / 2: the coordinates are the eigen-directions
    var problem = quadratic(lambdas[0] / 2, lambdas[1] / 2, 0);
    var spec = s.momentum === 0 ? { type: "sgd", lr: s.lr }
      : { type: "sgd", lr: s.lr, momentum: s.momentum };
    var traj = run(spec, problem, config.x0, s.steps);
    var rate = momentumRate(s.lr, s.momentum, lambdas);
    this.point.setAttribute("cx", rp.sx(s.lr));
    this.point.setAttribute("cy", rp.sy(s.momentum));
    this.point.setAttribute("data-lr", String(s.lr));
    this.point.setAttribute("data-momentum", String(s.momentum));
    this.point.setAttribute("data-rate", String(rate));
    var steps = traj.map(function (p, t) { return t; });
    lambdas.forEach(function (lam, i) {
      var roots = heavyBallRoots(s.lr, s.momentum, lam), g = self.rootMarks[i];
      clear(g);
      roots.forEach(function (z) {
        el("circle", {
          cx: zp.sx(z[0]), cy: zp.sy(z[1]), r: 4.5, fill: config.colors[i], class: "as-root",
        }, g);
      });
      g.setAttribute("data-roots", JSON.stringify(roots));
      var own = heavyBallRate(s.lr, s.momentum, lam), x0 = Math.abs(config.x0[i]);
      var env = [], coords = [];
      steps.forEach(function (t) {
        env.push(x0 * Math.pow(own, t));
        coords.push(traj[t][i]);
      });
      var d = [env, env.map(function (v) { return -v; })].map(function (ys) {
        var pts = cp.points(steps, ys);
        return pts ? "M" + pts.split(" ").join("L") : "";
      }).join("");
      self.envelopes[i].setAttribute("d", d);
      self.coordLines[i].setAttribute("points", cp.points(steps, coords));
    });
    this.coordGroup.setAttribute("data-trajectory", JSON.stringify(traj));
    this.rateLabel.textContent = "\u03c1 = " + rate.toFixed(3) + (rate >= 1 ? " (diverges)" : "");
    var best = this.best;
    this.caption.textContent = "Hessian eigenvalues " + lambdas.join(" and ") + ": \u03c1 = " +
      rate.toFixed(3) + (rate >= 1 ? " (diverges)" : "") + "; best \u03c1* = " +
      best.rate.toFixed(3) + " at \u03b7* = " + best.lr.toFixed(4) + ", \u03b2* = " +
      best.momentum.toFixed(3) + " (star). Roots inside the unit circle converge. " +
      "Click the map to pick (\u03b7, \u03b2). Computed in your browser (no Python kernel).";
    this.redraws += 1;
    this.root.setAttribute("data-settings", JSON.stringify(s));
    this.root.setAttribute("data-redraws", String(this.redraws));
  };

  // ------------------------------------------------------------------------------------------
  // Entry points
  // ------------------------------------------------------------------------------------------

  var FIGURES = { trajectory: TrajectoryFigure, ewma: EwmaFigure, eigen: EigenFigure };

  /** Build a figure inside element (or the element with that id) from its config. */
  function mount(element, config) {
    var root = typeof element === "string" ? document.getElementById(element) : element;
    if (!root) throw new Error("AdaptiveSteps.mount: no element " + element);
    var Figure = FIGURES[config.kind];
    if (!Figure) throw new Error("AdaptiveSteps.mount: unknown figure kind " + config.kind);
    clear(root);
    root.classList.add("as-figure");
    var figure = new Figure(root, config);
    root.adaptiveSteps = figure;
    root.setAttribute("data-ready", "true");
    return figure;
  }

  /** Add the figures' stylesheet to the page once. */
  function injectStyle(css) {
    if (typeof document === "undefined" || document.getElementById("adaptive-steps-style")) return;
    var style = document.createElement("style");
    style.id = "adaptive-steps-style";
    style.textContent = css;
    document.head.appendChild(style);
  }

  var api = {
    version: "0.1.0",
    RULE_DEFAULTS: RULE_DEFAULTS,
    makeRule: makeRule,
    makeProblem: makeProblem,
    rotatedSpec: rotatedSpec,
    quadratic: quadratic,
    rosenbrock: rosenbrock,
    rotate: rotate,
    run: run,
    ewma: ewma,
    ewmaWeights: ewmaWeights,
    powInt: powInt,
    heavyBallRate: heavyBallRate,
    heavyBallRoots: heavyBallRoots,
    momentumRate: momentumRate,
    optimalMomentum: optimalMomentum,
    optimizerSpec: optimizerSpec,
    plotWindow: plotWindow,
    lossRange: lossRange,
    relativeLosses: relativeLosses,
    mount: mount,
    injectStyle: injectStyle,
  };

  if (typeof module === "object" && module && module.exports) module.exports = api;
  if (root && typeof root === "object") root.AdaptiveSteps = api;
})(typeof window !== "undefined" ? window : typeof globalThis !== "undefined" ? globalThis : this);
