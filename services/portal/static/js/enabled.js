// The NHS.UK design system styles components for script only when these classes are on the body.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' nhsuk-frontend-supported' : '');
