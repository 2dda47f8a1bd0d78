// Cogito hosted UI: small enhancements; every page works without them.
// - a Show/Hide button on password inputs
// - the password policy list marks the rules a new password meets
(function () {
  "use strict";

  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }

  each("input[data-reveal]", function (input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "reveal";
    button.setAttribute("aria-controls", input.id);
    button.setAttribute("aria-pressed", "false");
    var label = document.createElement("span");
    label.textContent = "Show";
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " password";
    button.appendChild(label);
    button.appendChild(hidden);
    button.addEventListener("click", function () {
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      label.textContent = show ? "Hide" : "Show";
      button.setAttribute("aria-pressed", show ? "true" : "false");
    });
    input.parentNode.appendChild(button);
  });

  each("input[data-rules]", function (input) {
    var list = document.getElementById(input.getAttribute("data-rules"));
    if (!list) {
      return;
    }
    var symbols = list.getAttribute("data-symbols") || "";
    var tests = {
      length: function (v, li) { return Array.from(v).length >= Number(li.getAttribute("data-min") || 0); },
      upper: function (v) { return /[A-Z]/.test(v); },
      lower: function (v) { return /[a-z]/.test(v); },
      number: function (v) { return /[0-9]/.test(v); },
      symbol: function (v) {
        for (var i = 0; i < v.length; i++) {
          if (symbols.indexOf(v[i]) >= 0) {
            return true;
          }
        }
        return false;
      }
    };
    var rules = list.querySelectorAll("[data-rule]");
    // Screen readers hear the state through the input's description.
    Array.prototype.forEach.call(rules, function (li) {
      var state = document.createElement("span");
      state.className = "visually-hidden rule-state";
      li.appendChild(state);
    });
    function update() {
      var v = input.value;
      Array.prototype.forEach.call(rules, function (li) {
        var test = tests[li.getAttribute("data-rule")];
        var ok = test ? test(v, li) : false;
        li.classList.toggle("met", ok);
        li.querySelector(".rule-state").textContent = ok ? " (done)" : "";
        // Cognito's customizable classes for the password checks.
        li.classList.toggle("passwordCheck-valid-customizable", v !== "" && ok);
        li.classList.toggle("passwordCheck-notValid-customizable", v !== "" && !ok);
      });
    }
    input.addEventListener("input", update);
    update();
  });
})();
