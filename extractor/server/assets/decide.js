// The decision forms: the reason is asked for with 不成立 and the request with 待补充材料 (the server checks both).
(function () {
  Array.prototype.forEach.call(document.querySelectorAll('form.decide-form'), function (form) {
    function follow() {
      var c = form.querySelector('input[name=choice]:checked');
      var v = c ? c.value : '';
      form.querySelector('textarea[name=reason]').required = v === 'dismissed';
      form.querySelector('textarea[name=request]').required = v === 'asks';
    }
    Array.prototype.forEach.call(form.querySelectorAll('input[name=choice]'), function (r) {
      r.addEventListener('change', follow);
    });
    follow();
  });
})();
