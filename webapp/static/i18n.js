// The interface's strings in the reader's language: t("Saved") and nt("%(n)s hit", "%(n)s hits", n).
// The catalogue (window.I18N) comes from /i18n/<lang>.js, built from the same messages as the pages.
(function () {
  "use strict";
  var data = window.I18N || { locale: document.documentElement.lang || "en", messages: {} };
  var numbers = new Intl.NumberFormat(data.locale);

  function fill(text, params) {
    if (!params) return text;
    return text.replace(/%\(([A-Za-z_][A-Za-z0-9_]*)\)s|%%/g, function (m, name) {
      if (m === "%%") return "%";
      var v = params[name];
      if (typeof v === "number") return numbers.format(v);
      return v === undefined || v === null ? "" : String(v);
    });
  }

  // Translate msgid; %(name)s placeholders take params (numbers written for the locale).
  window.t = function (msgid, params) {
    var text = data.messages[msgid];
    return fill(typeof text === "string" ? text : msgid, params);
  };

  // Translate with a plural; %(n)s is the count. German and English both have one/other.
  window.nt = function (singular, plural, n, params) {
    var forms = data.messages[singular];
    var one = n === 1;
    var text = Array.isArray(forms) ? forms[one ? 0 : 1] : (one ? singular : plural);
    var all = Object.assign({ n: n }, params || {});
    return fill(text, all);
  };

  window.I18N_LOCALE = data.locale;
  // Numbers and dates written as the interface's language does.
  window.formatNumber = function (n, options) {
    return new Intl.NumberFormat(data.locale, options).format(n);
  };
})();
