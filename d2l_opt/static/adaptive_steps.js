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
    return runWithState(ruleSpec, problemSpec, x0, steps).points;
  }

  /** run, keeping what the figures draw at each step: points[k] = x_k, states[k] = the
   *  rule's state after k updates (states[0] from init; each update makes a new object, so
   *  keeping them costs no copy). */
  function runWithState(ruleSpec, problemSpec, x0, steps) {
    var rule = ruleSpec.update ? ruleSpec : makeRule(ruleSpec);
    var problem = problemSpec.grad ? problemSpec : makeProblem(problemSpec);
    var x = [Number(x0[0]), Number(x0[1])];
    var points = [x];
    var state = rule.init(x);
    var states = [state];
    for (var t = 0; t < steps; t++) {
      var result = rule.update(x, problem.grad(x), state);
      x = result[0];
      state = result[1];
      points.push(x);
      states.push(state);
    }
    return { rule: rule, problem: problem, points: points, states: states };
  }

  /** What the state after k updates means for the reader, per coordinate: the velocity
   *  (SGD with momentum), the accumulator s (Adagrad: sum of squared gradients; RMSProp: its
   *  leaky average), Adam's bias-corrected moments m-hat and v-hat, and the effective learning
   *  rate that multiplies the gradient (Adam: m-hat) in that update. Empty before the first
   *  update. The formulas are those of the update functions above. */
  function stateSummary(rule, state) {
    var h = rule.hyper, k = state.step, out = { step: k };
    if (k === 0) return out;
    function denom(s, eps) {
      return s.map(function (v) {
        return h.eps_inside_sqrt ? Math.sqrt(v + eps) : Math.sqrt(v) + eps;
      });
    }
    if (h.type === "sgd") {
      if (state.momentum_buffer) out.velocity = state.momentum_buffer.slice();
    } else if (h.type === "adagrad") {
      var lrT = h.lr / (1 + (k - 1) * h.lr_decay);
      out.accumulator = state.sum.slice();
      out.effective_lr = denom(state.sum, h.eps).map(function (d) { return lrT / d; });
    } else if (h.type === "rmsprop" && !h.centered && h.momentum === 0) {
      out.accumulator = state.square_avg.slice();
      out.effective_lr = denom(state.square_avg, h.eps).map(function (d) { return h.lr / d; });
    } else if (h.type === "adam" || h.type === "adamw") {
      var bc1 = 1 - powInt(h.betas[0], k), bc2 = 1 - powInt(h.betas[1], k);
      var v = state.max_exp_avg_sq || state.exp_avg_sq;
      out.m_hat = state.exp_avg.map(function (m) { return m / bc1; });
      out.v_hat = v.map(function (s) { return s / bc2; });
      out.effective_lr = denom(out.v_hat, h.eps).map(function (d) { return h.lr / d; });
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
  // Messages: every word a figure shows, in each language of the book (numbers unchanged)
  // ------------------------------------------------------------------------------------------

  // English control labels come from the figure's config (d2l_opt.widgets, shared with the
  // live view); the Korean ones are here, keyed "control.<kind>.<key>" or "control.<key>".
  var MESSAGES = {
    en: {
      browser: "Computed in your browser (no Python kernel).",
      "trajectory.help": "Drag the start point, or focus the plot and use the arrow keys.",
      "trajectory.aria": "iterates of the chosen optimizers on the contour plot, and their loss",
      "trajectory.keypad": "start point ({x1}, {x2}); the arrow keys move it",
      "trajectory.turned": ", turned {deg}\u00b0",
      "axis.step": "step t",
      "loss.title": "relative loss f(w\u209c) / f(w\u2080)",
      "state.title": "At step {k}:",
      "state.before": "before the first update",
      "state.velocity": "velocity v",
      "state.gradient": "gradient g",
      "state.accumulator": "accumulator s",
      "state.effective": "effective learning rate per coordinate",
      "state.legend": "Arrows at each iterate: \u2212\u03b7v (solid) and \u2212\u03b7g (dashed).",
      play: "Play",
      pause: "Pause",
      back: "Step back",
      forward: "Step forward",
      scrubber: "Step",
      "step.of": "{k} of {n}",
      "link.copy": "Copy link",
      "link.copied": "Link copied.",
      "link.select": "Copy this link:",
      "link.label": "Link to these settings",
      "fragment.ignored": "The settings in this page's link were ignored ({why}).",
      "fragment.unknown": "unknown setting {key}",
      "fragment.value": "{key} cannot be {value}",
      "fragment.syntax": "not key:value pairs",
      "ewma.aria": "weights of a leaky average and the average of a noisy series",
      "ewma.age": "age k (x\u209c\u208b\u2096)",
      "ewma.weights.corrected": "weights of y\u2096 / (1 \u2212 \u03b2\u1d4f)",
      "ewma.weights.plain": "weights of y\u2096: (1 \u2212 \u03b2)\u03b2\u2071",
      "ewma.series": "series and its leaky average",
      "ewma.caption": "\u03b2 = {beta}: about 1/(1 \u2212 \u03b2) = {window} terms remembered",
      "ewma.corrected": ", bias corrected.",
      "ewma.uncorrected": ", no bias correction (starts from 0).",
      "ewma.at": "At step {k}: y = {y}.",
      "eigen.aria": "convergence rate of momentum over learning rate and beta, the roots of its " +
        "characteristic polynomial and the coordinates of its iterates",
      "eigen.lr": "learning rate \u03b7",
      "eigen.beta": "momentum \u03b2",
      "eigen.rate": "rate \u03c1(\u03b7, \u03b2)",
      "eigen.roots": "roots of z\u00b2 \u2212 (1 + \u03b2 \u2212 \u03b7\u03bb)z + \u03b2",
      "eigen.coords": "coordinates w\u1d62(t) and \u00b1\u03c1\u1d62\u1d57",
      diverges: "diverges",
      "eigen.caption": "Hessian eigenvalues {lams}: \u03c1 = {rate}{verdict}; best \u03c1* = {best} " +
        "at \u03b7* = {lr}, \u03b2* = {beta} (star). Roots inside the unit circle converge. " +
        "Click the map to pick (\u03b7, \u03b2).",
      "eigen.at": "At step {k}: w\u2081 = {x1}, w\u2082 = {x2}.",
      and: " and ",
    },
    ko: {
      browser: "브라우저에서 계산합니다(Python 커널 없음).",
      "trajectory.help": "시작점을 끌어서 옮기거나, 그림을 선택한 뒤 화살표 키로 옮길 수 있습니다.",
      "trajectory.aria": "등고선 위에 그린 옵티마이저별 반복점과 손실",
      "trajectory.keypad": "시작점 ({x1}, {x2}); 화살표 키로 옮깁니다",
      "trajectory.turned": ", {deg}\u00b0 회전",
      "axis.step": "스텝 t",
      "loss.title": "상대 손실 f(w\u209c) / f(w\u2080)",
      "state.title": "스텝 {k}에서:",
      "state.before": "첫 업데이트 전",
      "state.velocity": "속도 v",
      "state.gradient": "기울기 g",
      "state.accumulator": "누적 변수 s",
      "state.effective": "좌표별 유효 학습률",
      "state.legend": "반복점의 화살표: \u2212\u03b7v(실선), \u2212\u03b7g(점선).",
      play: "재생",
      pause: "일시 정지",
      back: "이전 스텝",
      forward: "다음 스텝",
      scrubber: "스텝",
      "step.of": "{k} / {n}",
      "link.copy": "링크 복사",
      "link.copied": "링크를 복사했습니다.",
      "link.select": "이 링크를 복사하세요:",
      "link.label": "현재 설정의 링크",
      "fragment.ignored": "페이지 링크의 설정을 읽을 수 없어 무시했습니다({why}).",
      "fragment.unknown": "알 수 없는 설정 {key}",
      "fragment.value": "{key}에 {value} 값을 쓸 수 없음",
      "fragment.syntax": "키:값 형식이 아님",
      "ewma.aria": "누설 평균의 가중치와 잡음 섞인 수열의 평균",
      "ewma.age": "나이 k (x\u209c\u208b\u2096)",
      "ewma.weights.corrected": "y\u2096의 가중치 / (1 \u2212 \u03b2\u1d4f)",
      "ewma.weights.plain": "y\u2096의 가중치: (1 \u2212 \u03b2)\u03b2\u2071",
      "ewma.series": "수열과 누설 평균",
      "ewma.caption": "\u03b2 = {beta}: 대략 1/(1 \u2212 \u03b2) = {window}개 항을 기억합니다",
      "ewma.corrected": "(편향 보정).",
      "ewma.uncorrected": "(편향 보정 없음, 0에서 시작).",
      "ewma.at": "스텝 {k}: y = {y}.",
      "eigen.aria": "학습률과 \u03b2에 따른 모멘텀의 수렴 속도, 특성 다항식의 근, 반복점의 좌표",
      "eigen.lr": "학습률 \u03b7",
      "eigen.beta": "모멘텀 \u03b2",
      "eigen.rate": "수렴 속도 \u03c1(\u03b7, \u03b2)",
      "eigen.roots": "z\u00b2 \u2212 (1 + \u03b2 \u2212 \u03b7\u03bb)z + \u03b2의 근",
      "eigen.coords": "좌표 w\u1d62(t)와 \u00b1\u03c1\u1d62\u1d57",
      diverges: "발산",
      "eigen.caption": "헤세 행렬의 고윳값 {lams}: \u03c1 = {rate}{verdict}; 최적 \u03c1* = {best}, " +
        "\u03b7* = {lr}, \u03b2* = {beta}(별). 근이 단위원 안에 있으면 수렴합니다. " +
        "지도를 클릭해 (\u03b7, \u03b2)를 고르세요.",
      "eigen.at": "스텝 {k}: w\u2081 = {x1}, w\u2082 = {x2}.",
      and: ", ",
      "control.problem": "문제",
      "control.theta": "회전 \u03b8 (\u00b0)",
      "control.optimizers": "옵티마이저",
      "control.lr": "\u03b7 (학습률)",
      "control.momentum": "\u03b2 (모멘텀)",
      "control.alpha": "\u03b3 (RMSProp)",
      "control.beta1": "\u03b2\u2081 (Adam)",
      "control.beta2": "\u03b2\u2082 (Adam)",
      "control.eps": "\u03b5",
      "control.eps_inside_sqrt": "\u03b5 위치",
      "control.steps": "스텝 수",
      "control.ewma.steps": "스텝 수 t",
      "control.x0_1": "시작점 w\u2081",
      "control.x0_2": "시작점 w\u2082",
      "control.beta": "\u03b2",
      "control.bias_correction": "편향 보정",
      "option.problem.isotropic": "등방성: w\u2081\u00b2 + w\u2082\u00b2",
      "option.problem.anisotropic": "비등방성: w\u2081\u00b2 + 8w\u2082\u00b2",
      "option.problem.rosenbrock": "Rosenbrock 함수",
    },
  };

  /** The figure's language: config.lang, else the page's <html lang>, else English. */
  function pickLanguage(config) {
    var lang = config && config.lang;
    if (!lang && typeof document !== "undefined" && document.documentElement) {
      lang = document.documentElement.lang;
    }
    lang = String(lang || "en").toLowerCase().split("-")[0];
    return MESSAGES[lang] ? lang : "en";
  }

  function message(lang, key, fields) {
    var table = MESSAGES[lang] || MESSAGES.en;
    var template = table[key] !== undefined ? table[key] : MESSAGES.en[key];
    if (template === undefined) throw new Error("AdaptiveSteps: no message " + key);
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return fields && fields[name] !== undefined ? String(fields[name]) : whole;
    });
  }

  /** A number as the figures print it: 3 significant digits, exponent outside [1e-3, 1e4). */
  function formatNumber(v) {
    if (!isFinite(v)) return String(v);
    if (v === 0) return "0";
    var a = Math.abs(v);
    return a >= 1e-3 && a < 1e4 ? String(Number(v.toPrecision(3))) : v.toExponential(2);
  }

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

  function controlLabel(figure, spec) {
    if (figure.lang === "en") return spec.label;
    var table = MESSAGES[figure.lang];
    return table["control." + figure.kind + "." + spec.key] || table["control." + spec.key] ||
      spec.label;
  }

  function optionLabel(figure, key, option) {
    var translated = MESSAGES[figure.lang]["option." + key + "." + option[0]];
    return figure.lang !== "en" && translated ? translated : option[1];
  }

  /** Build the controls described by specs; onChange(key, value) after each user change. */
  function Controls(container, specs, values, onChange, figure) {
    var self = this;
    this.inputs = {};
    this.specs = {};
    this.readouts = {};
    specs.forEach(function (spec) {
      self.specs[spec.key] = spec;
      var row = html("div", { class: "as-control", "data-key": spec.key }, container);
      if (spec.uses) row.setAttribute("data-uses", spec.uses.join(" "));
      var label = controlLabel(figure, spec);
      if (spec.type === "multi") {
        var groupId = "as-ctl-" + (++figureCount) + "-" + spec.key;
        html("span", { class: "as-control-label", id: groupId }, row, label);
        var box = html("span", {
          class: "as-multi", "data-control": spec.key, role: "group", "aria-labelledby": groupId,
        }, row);
        var chosen = values[spec.key].map(function (v) { return String(v).toLowerCase(); });
        spec.options.forEach(function (option) {
          var check = html("label", { class: "as-check" }, box);
          var input = html("input", { type: "checkbox", "data-option": option[0] }, check);
          if (option[2]) check.style.setProperty("--as-color", option[2]);
          input.checked = chosen.indexOf(String(option[0]).toLowerCase()) >= 0;
          html("span", { class: "as-swatch", "aria-hidden": "true" }, check);
          check.appendChild(document.createTextNode(option[1]));
          input.addEventListener("change", function () {
            onChange(spec.key, self.value(spec.key));
          });
        });
        self.inputs[spec.key] = box;
        return;
      }
      var id = "as-ctl-" + (++figureCount) + "-" + spec.key;
      html("label", { class: "as-control-label", for: id }, row, label);
      var input;
      if (spec.type === "select") {
        input = html("select", { id: id, "data-control": spec.key }, row);
        spec.options.forEach(function (option) {
          var opt = html("option", { value: String(option[0]) }, input,
            optionLabel(figure, spec.key, option));
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
          self.showValue(spec.key, value, input);
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

  Controls.prototype.showValue = function (key, value, input) {
    var shown = formatValue(this.specs[key], value);
    if (this.readouts[key]) this.readouts[key].textContent = shown;
    input.setAttribute("aria-valuetext", shown);
  };

  /** Move a control to a value (without firing events); a slider keeps it in data-value. */
  Controls.prototype.setValue = function (key, value, input) {
    var spec = this.specs[key];
    input = input || this.inputs[key];
    if (spec.type === "multi") {
      var chosen = value.map(function (v) { return String(v).toLowerCase(); });
      input.querySelectorAll("input").forEach(function (box) {
        box.checked = chosen.indexOf(box.getAttribute("data-option").toLowerCase()) >= 0;
      });
      return;
    }
    if (spec.type === "checkbox") {
      input.checked = Boolean(value);
      return;
    }
    if (spec.type === "select") {
      input.value = String(value);
      return;
    }
    if (spec.type === "log") input.value = String(Math.log10(value));
    else input.value = String(value);
    input.setAttribute("data-value", String(value));
    this.showValue(key, value, input);
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
  // Settings in the URL fragment: #explorer-1=lr:0.4;momentum:0.9 (several joined by "&")
  // ------------------------------------------------------------------------------------------

  var FRAGMENT_NAMES = { trajectory: "explorer", ewma: "ewma", eigen: "eigen" };
  var fragmentCounts = {};

  /** One control value from its fragment text, or an Error saying why not. */
  function parseControlValue(spec, raw) {
    if (spec.type === "multi") {
      var names = raw === "" ? [] : raw.split(","), out = [];
      for (var i = 0; i < names.length; i++) {
        var found = spec.options.filter(function (o) {
          return String(o[0]).toLowerCase() === names[i].toLowerCase();
        })[0];
        if (!found) return null;
        if (out.indexOf(found[0]) < 0) out.push(found[0]);
      }
      return { value: out };
    }
    if (spec.type === "checkbox") {
      return raw === "true" || raw === "false" ? { value: raw === "true" } : null;
    }
    if (spec.type === "select") {
      var option = spec.options.filter(function (o) { return String(o[0]) === raw; })[0];
      return option ? { value: option[0] } : null;
    }
    if (!/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw)) return null;
    var v = Number(raw), position = spec.type === "log" ? Math.log10(v) : v;
    var slack = 1e-9 * (Number(spec.max) - Number(spec.min));
    if (!isFinite(position) || position < Number(spec.min) - slack ||
      position > Number(spec.max) + slack) return null;
    if (spec.type === "int" && v !== Math.round(v)) return null;
    return { value: v };
  }

  /** The entry of the fragment that names this figure: {values} or {error}, or null. */
  function readFragment(hash, name, specs) {
    var entries = String(hash || "").replace(/^#/, "").split("&"), prefix = name + "=";
    var entry = entries.filter(function (e) { return e.indexOf(prefix) === 0; })[0];
    if (entry === undefined) return null;
    var body;
    try {
      body = decodeURIComponent(entry.slice(prefix.length));
    } catch (err) {
      return { error: ["fragment.syntax", {}] };
    }
    var byKey = {};
    specs.forEach(function (spec) { byKey[spec.key] = spec; });
    var values = {}, pairs = body.split(";");
    for (var i = 0; i < pairs.length; i++) {
      if (pairs[i] === "") continue;
      var colon = pairs[i].indexOf(":");
      if (colon <= 0) return { error: ["fragment.syntax", {}] };
      var key = pairs[i].slice(0, colon), raw = pairs[i].slice(colon + 1);
      if (!Object.prototype.hasOwnProperty.call(byKey, key)) {
        return { error: ["fragment.unknown", { key: key.slice(0, 24) }] };
      }
      var parsed = parseControlValue(byKey[key], raw);
      if (!parsed) return { error: ["fragment.value", { key: key, value: raw.slice(0, 24) }] };
      values[key] = parsed.value;
    }
    return { values: values };
  }

  function writeFragment(name, specs, values) {
    var parts = specs.map(function (spec) {
      var v = values[spec.key];
      return spec.key + ":" + (Array.isArray(v) ? v.join(",") : String(v));
    });
    return name + "=" + parts.join(";");
  }

  // ------------------------------------------------------------------------------------------
  // The shell every figure is built in: controls, playback bar, SVG, notes, link, language
  // ------------------------------------------------------------------------------------------

  function isNarrow(root) {
    var width = root.clientWidth || (typeof window !== "undefined" ? window.innerWidth : 1000);
    return width < NARROW;
  }

  function reducedMotion() {
    return typeof window !== "undefined" && window.matchMedia &&
      window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  /** Common set-up of the three figures. options: aria (message key),
   *  playback ({first: 0 or 1}, or absent). The figure provides controlValues(),
   *  applyControl(key, value), redraw() and, with playback, showStep() (stepCount() defaults to
   *  the steps setting). */
  function FigureShell(root, config, options) {
    this.root = root;
    this.config = config;
    this.kind = config.kind;
    this.lang = pickLanguage(config);
    this.settings = JSON.parse(JSON.stringify(config.settings));
    this.uid = root.id || "as-fig-" + (++figureCount);
    this.redraws = 0;
    var base = FRAGMENT_NAMES[config.kind] || config.kind;
    fragmentCounts[base] = (fragmentCounts[base] || 0) + 1;
    this.fragmentName = config.fragment_id || base + "-" + fragmentCounts[base];
    root.setAttribute("data-fragment", this.fragmentName);
    root.setAttribute("lang", this.lang);
    this.controlBox = html("div", { class: "as-controls" }, root);
    this.narrow = isNarrow(root);
    this.layout = LAYOUTS[config.kind][this.narrow ? "narrow" : "wide"];
    root.setAttribute("data-layout", this.narrow ? "narrow" : "wide");
    this.playback = options.playback ? this.buildPlayback(options.playback) : null;
    this.svg = el("svg", {
      class: "as-svg", viewBox: "0 0 " + this.layout.width + " " + this.layout.height,
      role: "group",
      "aria-label": this.t(options.aria),
    }, root);
    this.below = html("div", { class: "as-below" }, root);
    this.note = html("div", { class: "as-note" }, root);
    this.warning = html("div", { class: "as-warning", role: "status", hidden: "hidden" }, root);
    this.buildLinkRow();
  }

  FigureShell.prototype.t = function (key, fields) {
    return message(this.lang, key, fields);
  };

  /** Controls from the config, after the settings of the page's URL fragment (if valid). */
  FigureShell.prototype.buildControls = function () {
    var self = this, specs = this.config.controls;
    var hash = typeof location !== "undefined" && !this.config.relaid ? location.hash : "";
    var fromLink = readFragment(hash, this.fragmentName, specs);
    if (fromLink && fromLink.error) {
      this.warning.textContent = this.t("fragment.ignored", {
        why: this.t(fromLink.error[0], fromLink.error[1]),
      });
      this.warning.hidden = false;
    } else if (fromLink) {
      specs.forEach(function (spec) {
        if (fromLink.values[spec.key] !== undefined) {
          self.applyControl(spec.key, fromLink.values[spec.key]);
        }
      });
      this.root.setAttribute("data-from-link", "true");
    }
    this.controls = new Controls(this.controlBox, specs, this.controlValues(),
      function (key, value) {
        self.applyControl(key, value);
        self.redraw();
      }, this);
  };

  FigureShell.prototype.link = function () {
    var here = location.href.split("#")[0];
    return here + "#" + writeFragment(this.fragmentName, this.config.controls,
      this.controlValues());
  };

  FigureShell.prototype.buildLinkRow = function () {
    var self = this, row = html("div", { class: "as-link-row" }, this.root);
    var button = html("button", { type: "button", class: "as-button as-copy-link" }, row,
      this.t("link.copy"));
    var status = html("span", { class: "as-link-status", role: "status" }, row);
    var field = html("input", {
      type: "text", class: "as-link", readonly: "readonly", "aria-label": this.t("link.label"),
      hidden: "hidden",
    }, row);
    button.addEventListener("click", function () {
      var url = self.link();
      field.value = url;
      field.hidden = false;
      try {
        history.replaceState(null, "", url);
      } catch (err) { /* a file: page may refuse; the field still shows the link */ }
      status.textContent = self.t("link.select");
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(function () {
          status.textContent = self.t("link.copied");
        }, function () { field.select(); });
      } else {
        field.select();
      }
    });
  };

  FigureShell.prototype.buildPlayback = function (options) {
    var self = this, bar = html("div", { class: "as-playback" }, this.root);
    this.firstStep = options.first || 0;
    this.step = null; // null: follow the last step
    this.timer = null;
    function button(cls, glyph, key) {
      return html("button", {
        type: "button", class: "as-button " + cls, "aria-label": self.t(key), title: self.t(key),
      }, bar, glyph);
    }
    var back = button("as-back", "\u2759\u25c0", "back");
    var play = button("as-play", "\u25b6", "play");
    var forward = button("as-forward", "\u25b6\u2759", "forward");
    var scrubId = "as-ctl-" + (++figureCount) + "-step";
    html("label", { class: "as-control-label as-scrub-label", for: scrubId }, bar,
      this.t("scrubber"));
    var scrub = html("input", {
      id: scrubId, type: "range", class: "as-scrubber", min: this.firstStep, max: 1, step: 1,
    }, bar);
    var readout = html("output", { class: "as-step-readout", for: scrubId }, bar);
    back.addEventListener("click", function () {
      self.pause();
      self.setStep(self.currentStep() - 1);
    });
    forward.addEventListener("click", function () {
      self.pause();
      self.setStep(self.currentStep() + 1);
    });
    play.addEventListener("click", function () {
      if (self.timer !== null) self.pause();
      else self.play();
    });
    scrub.addEventListener("input", function () {
      self.pause();
      self.setStep(Number(scrub.value));
    });
    return { bar: bar, back: back, play: play, forward: forward, scrub: scrub, readout: readout };
  };

  /** How many steps playback runs through: the figure's steps setting. */
  FigureShell.prototype.stepCount = function () {
    return this.settings.steps;
  };

  /** The note becomes the caption and a line below the plot reads out the current step
   *  (the figures whose state is one line of text). */
  FigureShell.prototype.addStepReadout = function () {
    this.caption = this.note;
    this.stepText = html("div", { class: "as-state" }, this.below);
  };

  FigureShell.prototype.currentStep = function () {
    var n = this.stepCount();
    return this.step === null ? n : Math.min(this.step, n);
  };

  /** Show step k (clamped); the last step means "follow the end" when settings change. */
  FigureShell.prototype.setStep = function (k) {
    var n = this.stepCount();
    k = Math.min(Math.max(Math.round(k), this.firstStep), n);
    this.step = k === n ? null : k;
    this.updatePlayback();
  };

  /** Milliseconds per step: about 8 s for a whole run, 1 s per step if motion is reduced. */
  FigureShell.prototype.interval = function () {
    if (reducedMotion()) return 1000;
    return Math.max(60, Math.min(400, 8000 / Math.max(this.stepCount(), 1)));
  };

  FigureShell.prototype.play = function () {
    var self = this, p = this.playback;
    if (this.currentStep() >= this.stepCount()) this.step = this.firstStep;
    else this.step = this.currentStep();
    var ms = this.interval();
    this.root.setAttribute("data-interval", String(ms));
    p.play.textContent = "\u2759\u2759";
    p.play.setAttribute("aria-label", this.t("pause"));
    p.play.title = this.t("pause");
    p.play.setAttribute("aria-pressed", "true");
    this.root.setAttribute("data-playing", "true");
    this.updatePlayback();
    this.timer = setInterval(function () {
      if (self.currentStep() >= self.stepCount()) {
        self.pause();
        return;
      }
      self.setStep(self.currentStep() + 1);
    }, ms);
  };

  FigureShell.prototype.pause = function () {
    var p = this.playback;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    p.play.textContent = "\u25b6";
    p.play.setAttribute("aria-label", this.t("play"));
    p.play.title = this.t("play");
    p.play.setAttribute("aria-pressed", "false");
    this.root.setAttribute("data-playing", "false");
  };

  FigureShell.prototype.updatePlayback = function () {
    var p = this.playback, n = this.stepCount(), k = this.currentStep();
    if (p.shown !== k + "/" + n) { // touch the inputs only when they change
      p.shown = k + "/" + n;
      p.scrub.max = String(n);
      p.scrub.value = String(k);
      var words = this.t("step.of", { k: k, n: n });
      p.scrub.setAttribute("aria-valuetext", words);
      p.readout.textContent = words;
      this.root.setAttribute("data-step", String(k));
    }
    this.showStep(k);
  };

  /** Book-keeping after each redraw, for readers of data attributes (tests). */
  FigureShell.prototype.finishRedraw = function () {
    this.redraws += 1;
    this.root.setAttribute("data-settings", JSON.stringify(this.settings));
    this.root.setAttribute("data-redraws", String(this.redraws));
    if (this.playback) this.updatePlayback();
  };

  function inherit(Figure) {
    Figure.prototype = Object.create(FigureShell.prototype);
    Figure.prototype.constructor = Figure;
  }

  /** Control values are the settings themselves (figures whose controls map one to one). */
  FigureShell.prototype.controlValues = function () {
    var s = this.settings, out = {};
    this.config.controls.forEach(function (spec) { out[spec.key] = s[spec.key]; });
    return out;
  };

  FigureShell.prototype.applyControl = function (key, value) {
    this.settings[key] = value;
  };

  // ------------------------------------------------------------------------------------------
  // Figure 1: trajectory explorer (contours + iterates, loss against step, state at step k)
  // ------------------------------------------------------------------------------------------

  // Panel boxes in SVG units: side by side, or stacked where the figure is narrower than
  // NARROW pixels (a phone), so that text keeps about its size instead of shrinking.
  var NARROW = 560;
  var LAYOUTS = {
    trajectory: {
      wide: { width: 720, height: 330, contour: { x: 56, y: 24, w: 270, h: 270 },
        loss: { x: 408, y: 24, w: 210, h: 270 }, legend: [632, 34] },
      narrow: { width: 380, height: 640, contour: { x: 56, y: 24, w: 300, h: 300 },
        loss: { x: 56, y: 376, w: 210, h: 220 }, legend: [276, 386] },
    },
    ewma: {
      wide: { width: 720, height: 330, weights: { x: 56, y: 24, w: 250, h: 260 },
        series: { x: 380, y: 24, w: 320, h: 260 } },
      narrow: { width: 380, height: 620, weights: { x: 56, y: 24, w: 300, h: 230 },
        series: { x: 56, y: 336, w: 300, h: 230 } },
    },
    eigen: {
      wide: { width: 800, height: 330, rate: { x: 52, y: 24, w: 190, h: 250 },
        roots: { x: 330, y: 34, w: 210, h: 210 }, coords: { x: 590, y: 24, w: 200, h: 250 } },
      narrow: { width: 380, height: 960, rate: { x: 56, y: 24, w: 270, h: 240 },
        roots: { x: 80, y: 330, w: 240, h: 240 }, coords: { x: 56, y: 680, w: 300, h: 230 } },
    },
  };

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

  var MOMENTUM_NAMES = ["momentum", "nesterov"];

  function TrajectoryFigure(root, config) {
    var self = this;
    FigureShell.call(this, root, config, { aria: "trajectory.aria", playback: { first: 0 } });
    this.contourPanel = new Panel(this.svg, this.uid, this.layout.contour);
    this.lossPanel = new Panel(this.svg, this.uid, this.layout.loss, { ylog: true });
    this.contourGroup = el("g", { class: "as-contours" }, this.contourPanel.under);
    this.minimizer = el("path", { class: "as-minimizer", d: "" }, this.contourPanel.plot);
    this.stepLine = el("line", { class: "as-step-line" }, this.lossPanel.plot);
    this.lines = {};
    this.lossLines = {};
    this.iterates = {};
    this.lossMarks = {};
    this.arrows = {};
    var defs = el("defs", null, this.svg);
    config.order.forEach(function (name) {
      var info = config.optimizers[name], low = name.toLowerCase();
      var markerId = self.uid + "-dot-" + low, headId = self.uid + "-head-" + low;
      var marker = el("marker", {
        id: markerId, viewBox: "-2 -2 4 4", markerWidth: 4, markerHeight: 4,
        markerUnits: "userSpaceOnUse",
      }, defs);
      el("circle", { r: 1.6, fill: info.color }, marker);
      var head = el("marker", {
        id: headId, viewBox: "0 -3 6 6", refX: 5, markerWidth: 7, markerHeight: 7,
        markerUnits: "userSpaceOnUse", orient: "auto",
      }, defs);
      el("path", { d: "M0,-3L6,0L0,3z", fill: info.color }, head);
      self.lines[name] = el("polyline", {
        class: "as-trajectory", "data-optimizer": name, stroke: info.color,
        "marker-mid": "url(#" + markerId + ")", "marker-end": "url(#" + markerId + ")",
      }, self.contourPanel.plot);
      self.lossLines[name] = el("polyline", {
        class: "as-loss", "data-optimizer": name, stroke: info.color,
      }, self.lossPanel.plot);
      self.lossMarks[name] = el("circle", {
        class: "as-loss-mark", "data-optimizer": name, r: 3.5, fill: info.color,
      }, self.lossPanel.plot);
      if (MOMENTUM_NAMES.indexOf(low) >= 0) {
        self.arrows[name] = {
          velocity: el("line", {
            class: "as-arrow as-velocity", "data-optimizer": name, stroke: info.color,
            "marker-end": "url(#" + headId + ")",
          }, self.contourPanel.plot),
          gradient: el("line", {
            class: "as-arrow as-gradient", "data-optimizer": name, stroke: info.color,
            "marker-end": "url(#" + headId + ")",
          }, self.contourPanel.plot),
        };
      }
    });
    config.order.forEach(function (name) {
      self.iterates[name] = el("circle", {
        class: "as-iterate", "data-optimizer": name, r: 4.5,
        fill: config.optimizers[name].color,
      }, self.contourPanel.plot);
    });
    this.start = el("circle", { r: 5, class: "as-start" }, this.contourPanel.plot);
    this.legend = el("g", { class: "as-legend" }, this.svg);
    this.buildControls();
    this.stateBox = html("div", { class: "as-state", "aria-live": "off" }, this.below);
    this.note.textContent = this.t("browser") + " " + this.t("trajectory.help");
    this.enableDragging();
    this.problemChanged();
    this.redraw();
  }
  inherit(TrajectoryFigure);

  TrajectoryFigure.prototype.controlValues = function () {
    var s = this.settings;
    return {
      problem: s.problem, optimizers: s.optimizers, lr: s.lr, momentum: s.momentum,
      alpha: s.alpha, beta1: s.beta1, beta2: s.beta2, eps: s.eps,
      eps_inside_sqrt: s.eps_inside_sqrt, steps: s.steps, x0_1: s.x0[0], x0_2: s.x0[1],
      theta: s.theta * (180 / Math.PI),
    };
  };

  TrajectoryFigure.prototype.applyControl = function (key, value) {
    var s = this.settings;
    if (key === "x0_1") s.x0 = [value, s.x0[1]];
    else if (key === "x0_2") s.x0 = [s.x0[0], value];
    else if (key === "theta") s.theta = value * (Math.PI / 180); // math.radians
    else s[key] = value;
    if (key === "problem" && this.controls) this.problemChanged();
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
    if (x0[0] === this.settings.x0[0] && x0[1] === this.settings.x0[1]) return;
    this.settings.x0 = x0;
    if (this.controls.inputs.x0_1) this.controls.setValue("x0_1", x0[0]);
    if (this.controls.inputs.x0_2) this.controls.setValue("x0_2", x0[1]);
    this.redraw();
  };

  /** Pointer (mouse, pen, touch) drags the start; arrow keys move it when the plot has focus. */
  TrajectoryFigure.prototype.enableDragging = function () {
    var self = this, cp = this.contourPanel, dragging = null;
    var keypad = cp.group;
    keypad.setAttribute("tabindex", "0");
    keypad.setAttribute("role", "application");
    keypad.setAttribute("class", "as-panel as-keypad");
    cp.background.classList.add("as-drag-area");
    this.start.classList.add("as-drag-area");
    function down(event) {
      if (event.button !== undefined && event.button > 0) return;
      dragging = event.pointerId;
      try {
        self.svg.setPointerCapture(event.pointerId);
      } catch (err) { /* synthetic pointers cannot be captured */ }
      self.setStart(cp.dataPoint(self.svg, event));
      event.preventDefault();
    }
    [cp.background, this.start].forEach(function (target) {
      target.addEventListener("pointerdown", down);
    });
    this.svg.addEventListener("pointermove", function (event) {
      if (dragging === null || event.pointerId !== dragging) return;
      self.setStart(cp.dataPoint(self.svg, event));
    });
    ["pointerup", "pointercancel"].forEach(function (type) {
      self.svg.addEventListener(type, function (event) {
        if (event.pointerId === dragging) dragging = null;
      });
    });
    var moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    keypad.addEventListener("keydown", function (event) {
      var move = moves[event.key];
      if (!move) return;
      event.preventDefault();
      var spec = self.controls.specs.x0_1, step = (spec ? Number(spec.step) : 0.05) *
        (event.shiftKey ? 10 : 1), x0 = self.settings.x0;
      self.setStart([x0[0] + move[0] * step, x0[1] + move[1] * step]);
    });
  };

  TrajectoryFigure.prototype.problemSpec = function () {
    var info = this.config.problems[this.settings.problem];
    return rotatedSpec(info.spec, this.settings.theta);
  };

  /** Trajectories (with states) of the shown optimizers for the current settings. */
  TrajectoryFigure.prototype.compute = function () {
    var s = this.settings, problem = makeProblem(this.problemSpec()), out = {};
    this.shown().forEach(function (name) {
      out[name] = runWithState(optimizerSpec(name, s), problem, s.x0, s.steps);
    });
    return { problem: problem, runs: out };
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
    this.result = result;
    var win = plotWindow(info, s.theta, s.x0);
    var cp = this.contourPanel, lp = this.lossPanel;
    cp.setLimits(win.x, win.y);
    cp.group.setAttribute("data-xlim", JSON.stringify(win.x));
    cp.group.setAttribute("data-ylim", JSON.stringify(win.y));
    cp.group.setAttribute("aria-label", this.t("trajectory.keypad", {
      x1: s.x0[0], x2: s.x0[1],
    }));
    var ylim = lossRange(config.loss);
    lp.setLimits([0, Math.max(s.steps, 1)], ylim);
    var title = info.formula;
    if (s.theta) {
      title += this.t("trajectory.turned", { deg: Math.round(s.theta * (180 / Math.PI)) });
    }
    cp.drawAxes("w\u2081", "w\u2082", title);
    lp.drawAxes(this.t("axis.step"), null, this.t("loss.title"));
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
    this.losses = {};
    config.order.forEach(function (name) {
      var line = this.lines[name], lossLine = this.lossLines[name];
      var run = result.runs[name];
      if (!run) {
        line.setAttribute("display", "none");
        lossLine.setAttribute("display", "none");
        line.removeAttribute("data-trajectory");
        return;
      }
      var traj = run.points;
      var xs = traj.map(function (p) { return p[0]; }), ys = traj.map(function (p) { return p[1]; });
      var steps = traj.map(function (p, t) { return t; });
      var losses = relativeLosses(problem, traj, s.x0, floor);
      this.losses[name] = losses;
      line.removeAttribute("display");
      lossLine.removeAttribute("display");
      line.setAttribute("points", cp.points(xs, ys));
      line.setAttribute("data-trajectory", JSON.stringify(traj));
      lossLine.setAttribute("points", lp.points(steps, losses));
    }, this);
    this.drawLegend();
    this.controls.markUsed(this.shown());
    this.finishRedraw();
  };

  function hide(node) {
    node.setAttribute("display", "none");
  }

  // An arrow from p by the vector d (data units); kept in data-from and data-vector.
  function drawArrow(line, panel, p, d) {
    line.removeAttribute("display");
    setAttrs(line, {
      x1: panel.sx(p[0]), y1: panel.sy(p[1]), x2: panel.sx(p[0] + d[0]), y2: panel.sy(p[1] + d[1]),
      "data-from": JSON.stringify(p), "data-vector": JSON.stringify(d),
    });
  }

  /** Markers, arrows and the state readout at step k (no recomputation). */
  TrajectoryFigure.prototype.showStep = function (k) {
    var cp = this.contourPanel, lp = this.lossPanel, self = this;
    var result = this.result;
    setAttrs(this.stepLine, { x1: lp.sx(k), x2: lp.sx(k), y1: lp.box.y, y2: lp.box.y + lp.box.h });
    var rows = [];
    this.config.order.forEach(function (name) {
      var run = result.runs[name], dot = self.iterates[name], arrows = self.arrows[name];
      var mark = self.lossMarks[name];
      if (!run) {
        hide(dot);
        hide(mark);
        if (arrows) { hide(arrows.velocity); hide(arrows.gradient); }
        return;
      }
      var x = run.points[k], finite = isFinite(x[0]) && isFinite(x[1]);
      dot.setAttribute("data-step", String(k));
      dot.setAttribute("data-point", JSON.stringify(x));
      if (finite) {
        dot.removeAttribute("display");
        setAttrs(dot, { cx: cp.sx(x[0]), cy: cp.sy(x[1]) });
        setAttrs(mark, { cx: lp.sx(k), cy: lp.sy(self.losses[name][k]) });
        mark.removeAttribute("display");
      } else {
        hide(dot);
        hide(mark);
      }
      var grad = finite ? run.problem.grad(x) : [NaN, NaN];
      var summary = stateSummary(run.rule, run.states[k]);
      summary.gradient = grad;
      if (arrows) {
        var v = summary.velocity || [0, 0], lr = run.rule.hyper.lr;
        if (finite && isFinite(v[0]) && isFinite(v[1]) && isFinite(grad[0]) && isFinite(grad[1])) {
          drawArrow(arrows.velocity, cp, x, [-lr * v[0], -lr * v[1]]);
          drawArrow(arrows.gradient, cp, x, [-lr * grad[0], -lr * grad[1]]);
        } else {
          hide(arrows.velocity);
          hide(arrows.gradient);
        }
      }
      rows.push([name, summary]);
    });
    this.drawState(k, rows);
  };

  // A readout "label = (a, b)" whose two numbers are updated in place.
  function numberPair(parent, cls, label) {
    var item = html("span", { class: "as-quantity " + cls }, parent);
    html("span", { class: "as-quantity-label" }, item, label + " = (");
    var numbers = [0, 1].map(function (i) {
      if (i) item.appendChild(document.createTextNode(", "));
      return html("span", { class: "as-number" }, item);
    });
    item.appendChild(document.createTextNode(")"));
    return { item: item, numbers: numbers };
  }

  function showPair(pair, values) {
    pair.item.hidden = !values;
    if (!values) return;
    values.forEach(function (v, i) {
      var node = pair.numbers[i], shown = formatNumber(v);
      node.setAttribute("data-value", String(v));
      if (node.textContent !== shown) node.textContent = shown;
    });
  }

  /** The readout of each optimizer's state, built once; showStep fills it in. */
  TrajectoryFigure.prototype.buildStateRows = function () {
    var box = this.stateBox, self = this;
    this.stateTitle = html("div", { class: "as-state-title" }, box);
    this.stateRows = {};
    this.config.order.forEach(function (name) {
      var info = self.config.optimizers[name], low = name.toLowerCase();
      var line = html("div", { class: "as-state-row", "data-optimizer": name }, box);
      var tag = html("span", { class: "as-state-name" }, line);
      tag.style.setProperty("--as-color", info.color);
      html("span", { class: "as-swatch", "aria-hidden": "true" }, tag);
      tag.appendChild(document.createTextNode(info.label));
      var row = { line: line, pairs: {} };
      row.pairs.gradient = numberPair(line, "as-q-gradient", self.t("state.gradient"));
      if (MOMENTUM_NAMES.indexOf(low) >= 0) {
        row.pairs.velocity = numberPair(line, "as-q-velocity", self.t("state.velocity"));
      }
      if (low === "adagrad" || low === "rmsprop") {
        row.pairs.accumulator = numberPair(line, "as-q-accumulator", self.t("state.accumulator"));
      }
      if (low === "adam") {
        row.pairs.m_hat = numberPair(line, "as-q-m-hat", "m\u0302");
        row.pairs.v_hat = numberPair(line, "as-q-v-hat", "v\u0302");
      }
      if (low === "adagrad" || low === "rmsprop" || low === "adam") {
        row.pairs.effective_lr = numberPair(line, "as-q-effective", low === "adam"
          ? "\u03b7/(\u221av\u0302 + \u03b5)" : "\u03b7/(\u221as + \u03b5)");
        row.pairs.effective_lr.item.setAttribute("title", self.t("state.effective"));
        row.bars = html("span", { class: "as-bars", role: "img" }, line);
        row.fills = [0, 1].map(function (i) {
          var bar = html("span", { class: "as-bar", "data-coordinate": String(i + 1) }, row.bars);
          var fill = html("span", { class: "as-bar-fill" }, bar);
          fill.style.background = info.color;
          html("span", { class: "as-bar-label" }, bar, "w" + (i === 0 ? "\u2081" : "\u2082"));
          return fill;
        });
        row.before = html("span", { class: "as-quantity as-q-none" }, line, self.t("state.before"));
      }
      self.stateRows[name] = row;
    });
    this.stateLegend = html("div", { class: "as-state-legend" }, box, this.t("state.legend"));
  };

  /** Fill the readout: rows = [name, summary] for the shown optimizers. */
  TrajectoryFigure.prototype.drawState = function (k, rows) {
    var self = this, shown = {}, momentum = false;
    if (!this.stateRows) this.buildStateRows();
    this.stateTitle.textContent = this.t("state.title", { k: k });
    rows.forEach(function (entry) {
      var name = entry[0], q = entry[1], row = self.stateRows[name];
      shown[name] = true;
      row.line.hidden = false;
      Object.keys(row.pairs).forEach(function (key) {
        var values = q[key] || (key === "velocity" ? [0, 0] : null);
        showPair(row.pairs[key], values);
      });
      if (row.bars) {
        var eff = q.effective_lr;
        row.bars.hidden = !eff;
        row.before.hidden = Boolean(eff);
        if (eff) {
          var top = Math.max(eff[0], eff[1]);
          row.bars.setAttribute("aria-label",
            self.t("state.effective") + ": " + eff.map(formatNumber).join(", "));
          eff.forEach(function (v, i) {
            var share = isFinite(v) && top > 0 && isFinite(top) ? v / top : 0;
            var fill = row.fills[i];
            fill.setAttribute("data-value", String(v));
            fill.setAttribute("data-share", String(share));
            fill.style.width = (100 * share).toFixed(3) + "%";
          });
        }
      }
      if (row.pairs.velocity) momentum = true;
    });
    Object.keys(this.stateRows).forEach(function (name) {
      if (!shown[name]) self.stateRows[name].line.hidden = true;
    });
    this.stateLegend.hidden = !momentum;
  };

  TrajectoryFigure.prototype.drawLegend = function () {
    var g = this.legend, x = this.layout.legend[0], y = this.layout.legend[1];
    var config = this.config;
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
    FigureShell.call(this, root, config, { aria: "ewma.aria", playback: { first: 1 } });
    this.weightPanel = new Panel(this.svg, this.uid, this.layout.weights);
    this.seriesPanel = new Panel(this.svg, this.uid, this.layout.series);
    this.stems = el("path", { class: "as-stems", stroke: config.color }, this.weightPanel.plot);
    this.window = el("line", { class: "as-window" }, this.weightPanel.plot);
    this.signal = el("polyline", { class: "as-signal" }, this.seriesPanel.plot);
    this.points = el("path", { class: "as-points" }, this.seriesPanel.plot);
    this.average = el("polyline", {
      class: "as-average", stroke: config.color, "data-role": "ewma",
    }, this.seriesPanel.plot);
    this.stepLine = el("line", { class: "as-step-line" }, this.seriesPanel.plot);
    this.stepMark = el("circle", { class: "as-loss-mark", r: 4, fill: config.color },
      this.seriesPanel.plot);
    this.buildControls();
    this.addStepReadout();
    this.redraw();
  }
  inherit(EwmaFigure);

  EwmaFigure.prototype.redraw = function () {
    var s = this.settings, config = this.config, t = s.steps;
    var series = config.series.slice(0, t), signal = config.signal.slice(0, t);
    var avg = ewma(series, s.beta, s.bias_correction);
    this.avg = avg;
    var sp = this.seriesPanel;
    sp.setLimits([0, t + 1], config.series_range);
    sp.drawAxes("t", null, this.t("ewma.series"));
    var steps = [];
    for (var i = 1; i <= t; i++) steps.push(i);
    this.signal.setAttribute("points", sp.points(steps, signal));
    var dots = series.map(function (v, i) {
      return "M" + sp.sx(i + 1).toFixed(1) + "," + sp.sy(v).toFixed(1) + "h0.01";
    });
    this.points.setAttribute("d", dots.join(""));
    this.average.setAttribute("points", sp.points(steps, avg));
    this.average.setAttribute("data-ewma", JSON.stringify(avg));
    var window = s.beta < 1 ? 1 / (1 - s.beta) : Infinity;
    this.caption.textContent = this.t("ewma.caption", {
      beta: s.beta.toFixed(2), window: isFinite(window) ? window.toFixed(1) : "\u221e",
    }) + this.t(s.bias_correction ? "ewma.corrected" : "ewma.uncorrected") + " " +
      this.t("browser");
    this.finishRedraw();
  };

  /** Step k: the weights y_k puts on x_k, x_(k-1), ..., and y_k marked on the series. */
  EwmaFigure.prototype.showStep = function (k) {
    var s = this.settings, t = s.steps, wp = this.weightPanel, sp = this.seriesPanel;
    var weights = ewmaWeights(s.beta, k, s.bias_correction);
    var kmax = Math.max(t - 1, 1), wmax = 0;
    ewmaWeights(s.beta, t, s.bias_correction).concat(weights).forEach(function (w) {
      wmax = Math.max(wmax, w);
    });
    wp.setLimits([-0.5, kmax + 0.5], [0, Math.max(wmax * 1.1, 1e-3)]);
    wp.drawAxes(this.t("ewma.age"), null,
      this.t(s.bias_correction ? "ewma.weights.corrected" : "ewma.weights.plain"));
    var d = [];
    weights.forEach(function (w, age) {
      var x = wp.sx(age).toFixed(1);
      d.push("M" + x + "," + wp.sy(0).toFixed(1) + "V" + wp.sy(w).toFixed(1));
    });
    this.stems.setAttribute("d", d.join(""));
    this.stems.setAttribute("data-weights", JSON.stringify(weights));
    var window = s.beta < 1 ? 1 / (1 - s.beta) : Infinity;
    var wx = wp.sx(Math.min(window, kmax + 0.5));
    setAttrs(this.window, { x1: wx, x2: wx, y1: wp.box.y, y2: wp.box.y + wp.box.h });
    var y = this.avg[k - 1];
    setAttrs(this.stepLine, { x1: sp.sx(k), x2: sp.sx(k), y1: sp.box.y, y2: sp.box.y + sp.box.h });
    setAttrs(this.stepMark, { cx: sp.sx(k), cy: sp.sy(y), "data-value": String(y) });
    this.stepText.textContent = this.t("ewma.at", { k: k, y: formatNumber(y) });
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

  function EigenFigure(root, config) {
    var self = this;
    FigureShell.call(this, root, config, { aria: "eigen.aria", playback: { first: 0 } });
    this.ratePanel = new Panel(this.svg, this.uid, this.layout.rate);
    this.rootPanel = new Panel(this.svg, this.uid, this.layout.roots);
    this.coordPanel = new Panel(this.svg, this.uid, this.layout.coords);
    this.ratePanel.setLimits(config.lr_range, config.beta_range);
    this.drawHeatmap();
    this.ratePanel.drawAxes(this.t("eigen.lr"), this.t("eigen.beta"), this.t("eigen.rate"));
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
    rp.drawAxes("Re z", "Im z", this.t("eigen.roots"));
    el("circle", { cx: rp.sx(0), cy: rp.sy(0), r: rp.sx(1) - rp.sx(0), class: "as-unit-circle" },
      rp.under);
    el("line", { x1: rp.sx(-1.35), x2: rp.sx(1.35), y1: rp.sy(0), y2: rp.sy(0), class: "as-axis0" },
      rp.under);
    el("line", { x1: rp.sx(0), x2: rp.sx(0), y1: rp.sy(-1.35), y2: rp.sy(1.35), class: "as-axis0" },
      rp.under);
    this.coordPanel.setLimits([0, this.settings.steps], config.coordinate_range);
    this.coordPanel.drawAxes(this.t("axis.step"), null, this.t("eigen.coords"));
    var cp = this.coordPanel;
    el("line", { x1: cp.box.x, x2: cp.box.x + cp.box.w, y1: cp.sy(0), y2: cp.sy(0),
      class: "as-axis0" }, cp.under);
    this.stepLine = el("line", { class: "as-step-line" }, cp.plot);
    this.rootMarks = [];
    this.coordLines = [];
    this.coordMarks = [];
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
      self.coordMarks.push(el("circle", {
        class: "as-loss-mark as-coordinate-mark", r: 3.5, fill: color,
        "data-coordinate": String(i + 1),
      }, cp.plot));
      var ly = rp.box.y + rp.box.h + 48, lx = rp.box.x + 10 + 115 * i;
      el("circle", { cx: lx, cy: ly - 4, r: 4, fill: color }, legend);
      text(legend, lx + 8, ly, "\u03bb" + (i === 0 ? "\u2081" : "\u2082") + " = " + lam +
        " (w" + (i === 0 ? "\u2081" : "\u2082") + ")", { class: "as-legend-text" });
    });
    this.rateLabel = text(rp.plot, rp.box.x + 6, rp.box.y + 14, "", { class: "as-label" });
    this.buildControls();
    [this.ratePanel.background, this.heat].forEach(function (target) {
      target.addEventListener("click", function (event) {
        self.pick(self.ratePanel.dataPoint(self.svg, event));
      });
    });
    this.addStepReadout();
    this.redraw();
  }
  inherit(EigenFigure);

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
    text(p.under, p.sx(2 * (1 + bLabel) / lmax) + 6, p.sy(bLabel), this.t("diverges"),
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
    this.traj = traj;
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
    var verdict = rate >= 1 ? " (" + this.t("diverges") + ")" : "";
    this.rateLabel.textContent = "\u03c1 = " + rate.toFixed(3) + verdict;
    var best = this.best;
    this.caption.textContent = this.t("eigen.caption", {
      lams: lambdas.join(this.t("and")), rate: rate.toFixed(3), verdict: verdict,
      best: best.rate.toFixed(3), lr: best.lr.toFixed(4), beta: best.momentum.toFixed(3),
    }) + " " + this.t("browser");
    this.finishRedraw();
  };

  /** Step k: both coordinates marked on their curves. */
  EigenFigure.prototype.showStep = function (k) {
    var cp = this.coordPanel, x = this.traj[k], self = this;
    setAttrs(this.stepLine, { x1: cp.sx(k), x2: cp.sx(k), y1: cp.box.y, y2: cp.box.y + cp.box.h });
    x.forEach(function (v, i) {
      var mark = self.coordMarks[i];
      mark.setAttribute("data-value", String(v));
      if (!isFinite(v)) {
        hide(mark);
        return;
      }
      mark.removeAttribute("display");
      var y = Math.min(Math.max(cp.sy(v), cp.box.y - 4), cp.box.y + cp.box.h + 4);
      setAttrs(mark, { cx: cp.sx(k), cy: y });
    });
    this.stepText.textContent = this.t("eigen.at", {
      k: k, x1: formatNumber(x[0]), x2: formatNumber(x[1]),
    });
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
    if (root.adaptiveSteps && root.adaptiveSteps.playback) root.adaptiveSteps.pause();
    clear(root);
    root.classList.add("as-figure");
    var figure = new Figure(root, config);
    root.adaptiveSteps = figure;
    root.setAttribute("data-ready", "true");
    if (!root.adaptiveStepsResize && typeof window !== "undefined") {
      // a phone turned, a window resized: rebuild in the other layout, settings kept
      root.adaptiveStepsResize = true;
      window.addEventListener("resize", function () {
        var current = root.adaptiveSteps;
        if (!current || isNarrow(root) === current.narrow) return;
        var step = current.playback ? current.step : null;
        var again = mount(root, Object.assign({}, current.config, {
          settings: current.settings, fragment_id: current.fragmentName, relaid: true,
        }));
        if (again.playback && step !== null) again.setStep(step);
      });
    }
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
    runWithState: runWithState,
    stateSummary: stateSummary,
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
    MESSAGES: MESSAGES,
    pickLanguage: pickLanguage,
    message: message,
    formatNumber: formatNumber,
    readFragment: readFragment,
    writeFragment: writeFragment,
    mount: mount,
    injectStyle: injectStyle,
  };

  if (typeof module === "object" && module && module.exports) module.exports = api;
  if (root && typeof root === "object") root.AdaptiveSteps = api;
})(typeof window !== "undefined" ? window : typeof globalThis !== "undefined" ? globalThis : this);
