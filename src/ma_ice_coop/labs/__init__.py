"""The teaching labs' own code: the checks that tell a student whether an answer is right (checking.py and
checks/), and the student version of a lab, made from its solution notebook (student.py). The labs do the
analysis in their own cells; this package only checks answers and never computes a lab's results for it."""
